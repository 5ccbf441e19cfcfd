#!/usr/bin/env node
'use strict';
/**
 * Runs the Prisma CLI (`node scripts/prisma-bridge/prisma.cjs <args>`); every npm script goes through it.
 * Prisma's CLI insists on a native `schema-engine` binary and downloads one when it is
 * missing, which fails offline. Only when no such binary is installed is the CLI pointed
 * at scripts/prisma-bridge/schema-engine-bridge.cjs (the same engine compiled to WebAssembly), so
 * a machine that has the native engine keeps stock Prisma behaviour.
 */
const { spawn } = require('node:child_process');
const { useBridgeUnlessNative } = require('./engine-choice.cjs');

/** @returns {NodeJS.ProcessEnv} */
function prismaEnv() {
  const env = { ...process.env };
  env.CHECKPOINT_DISABLE = '1';
  env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
  useBridgeUnlessNative(env);
  return env;
}

function main() {
  const cli = require.resolve('prisma/build/index.js');
  const child = spawn(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit', env: prismaEnv() });
  // The terminal already sends Ctrl-C to the whole group; forward what only we received.
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 128 + (require('node:os').constants.signals[signal] ?? 0) : 1);
  });
}

main();
