'use strict';
/**
 * Which schema engine the Prisma CLI should run: the native binary when one is installed
 * (stock Prisma), else the WebAssembly bridge next to this file. Synchronous, because
 * prisma.config.ts (read by a bare `npx prisma …`) calls it as well as prisma.cjs here.
 */
const fs = require('node:fs');
const path = require('node:path');

const BRIDGE = path.join(__dirname, 'schema-engine-bridge.cjs');

/**
 * An installed native `schema-engine-*` in the places Prisma's CLI searches, in its order:
 * @prisma/engines, the prisma package, node_modules, and prisma/runtime.
 * @returns {string | undefined}
 */
function nativeSchemaEngine() {
  const prismaDir = path.dirname(require.resolve('prisma/package.json'));
  const enginesDir = path.dirname(require.resolve('@prisma/engines/package.json', { paths: [prismaDir] }));
  for (const dir of [enginesDir, prismaDir, path.dirname(prismaDir), path.join(prismaDir, 'runtime')]) {
    if (!fs.existsSync(dir)) continue;
    const found = fs.readdirSync(dir).find((name) => /^schema-engine-/.test(name));
    if (found) return path.join(dir, found);
  }
  return undefined;
}

/**
 * Points PRISMA_SCHEMA_ENGINE_BINARY at the bridge unless an engine was chosen or is installed.
 * @param {NodeJS.ProcessEnv} env changed in place
 */
function useBridgeUnlessNative(env) {
  if (env.PRISMA_SCHEMA_ENGINE_BINARY || env.PRISMA_MIGRATION_ENGINE_BINARY || nativeSchemaEngine()) return;
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

module.exports = { BRIDGE, nativeSchemaEngine, useBridgeUnlessNative };
