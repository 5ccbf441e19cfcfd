#!/usr/bin/env node
'use strict';
/**
 * Runs the Prisma CLI (`node scripts/prisma.cjs <args>`); every npm script goes through it.
 * Prisma's CLI insists on a native `schema-engine` binary and downloads one when it is
 * missing, which fails offline. Only when no such binary is installed is the CLI pointed
 * at prisma/engine/schema-engine-bridge.cjs (the same engine compiled to WebAssembly), so
 * a machine that has the native engine keeps stock Prisma behaviour.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');

const BRIDGE = path.join(__dirname, '..', 'prisma', 'engine', 'schema-engine-bridge.cjs');

/**
 * The places Prisma's CLI searches, in its order: @prisma/engines, the prisma package,
 * node_modules, and prisma/runtime.
 * @returns {Promise<string | undefined>}
 */
async function findNativeSchemaEngine() {
  const prismaDir = path.dirname(require.resolve('prisma/package.json'));
  const enginesDir = path.dirname(require.resolve('@prisma/engines/package.json', { paths: [prismaDir] }));
  const dirs = [enginesDir, prismaDir, path.dirname(prismaDir), path.join(prismaDir, 'runtime')];
  let names;
  try {
    const { getBinaryTargetForCurrentPlatform } = require(require.resolve('@prisma/get-platform', { paths: [enginesDir] }));
    const target = await getBinaryTargetForCurrentPlatform();
    names = [`schema-engine-${target}${process.platform === 'win32' ? '.exe' : ''}`];
  } catch {
    // Platform detection moved or failed: any installed schema-engine counts as native.
    names = dirs.flatMap((d) => (fs.existsSync(d) ? fs.readdirSync(d) : [])).filter((n) => /^schema-engine-/.test(n));
  }
  return dirs.flatMap((d) => names.map((n) => path.join(d, n))).find((p) => fs.existsSync(p));
}

/** @returns {Promise<NodeJS.ProcessEnv>} */
async function prismaEnv() {
  const env = { ...process.env };
  env.CHECKPOINT_DISABLE = '1';
  env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
  const chosen = env.PRISMA_SCHEMA_ENGINE_BINARY || env.PRISMA_MIGRATION_ENGINE_BINARY;
  if (!chosen && !(await findNativeSchemaEngine())) {
    env.PRISMA_SCHEMA_ENGINE_BINARY = BRIDGE;
    // The bridge starts with `#!/usr/bin/env node`: let that be the Node running us.
    env.PATH = [path.dirname(process.execPath), env.PATH].filter(Boolean).join(path.delimiter);
    // Checkouts and archives do not always keep the executable bit.
    try {
      fs.accessSync(BRIDGE, fs.constants.X_OK);
    } catch {
      fs.chmodSync(BRIDGE, 0o755);
    }
  }
  return env;
}

async function main() {
  const cli = require.resolve('prisma/build/index.js');
  const child = spawn(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit', env: await prismaEnv() });
  // The terminal already sends Ctrl-C to the whole group; forward what only we received.
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 128 + (require('node:os').constants.signals[signal] ?? 0) : 1);
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
