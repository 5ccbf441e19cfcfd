#!/usr/bin/env node
'use strict';
/**
 * Stand-in for Prisma's native `schema-engine` binary, for machines that cannot download
 * it: point PRISMA_SCHEMA_ENGINE_BINARY here (prisma.cjs here does) and the CLI spawns
 * this file exactly as it would spawn the binary.
 *
 *   bridge --datamodels <file>… --datasource '<json>' [--enabled-preview-features a,b]
 *          [--extension-types '<json>']          JSON-RPC 2.0, one message per line
 *   bridge --datasource '<json>' cli can-connect-to-database|create-database|drop-database
 *   bridge --version
 *
 * stdout carries only protocol messages; stderr only JSON log lines, because the CLI
 * parses both.
 */
const fs = require('node:fs');
const readline = require('node:readline');
const pg = require('pg');
const { createSchemaEngine, engineVersion, withDatabase } = require('./wasm-schema-engine.cjs');

/** @param {'INFO'|'WARN'|'ERROR'} level @param {Record<string, unknown>} fields */
function log(level, fields, target = 'schema_engine_wasm_bridge') {
  process.stderr.write(`${JSON.stringify({ timestamp: new Date().toISOString(), level, fields, target })}\n`);
}

// Node would print warnings as plain text, which breaks the CLI's JSON parsing of stderr.
process.removeAllListeners('warning');
process.on('warning', (w) => log('WARN', { message: `${w.name}: ${w.message}` }));

/** @param {string} url */
function connectionParameters(url) {
  // pg resolves defaults (database = user, port 5432, …) exactly as it will connect.
  const { host, port, user, database } = /** @type {any} */ (new pg.Client({ connectionString: url })).connectionParameters;
  return { host, port, user, database: /** @type {string} */ (database) };
}

/** @template T @param {string} url @param {(client: pg.Client) => Promise<T>} fn */
async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** CREATE/DROP DATABASE must run from another database of the same server. */
async function onMaintenanceDb(/** @type {string} */ url, /** @type {string} */ sql) {
  try {
    await withClient(withDatabase(url, 'postgres'), (c) => c.query(sql));
  } catch (error) {
    if (/** @type {any} */ (error)?.code !== '3D000') throw error;
    await withClient(withDatabase(url, 'template1'), (c) => c.query(sql));
  }
}

const quoteIdent = (/** @type {string} */ name) => `"${name.replace(/"/g, '""')}"`;

const cliCommands = {
  'can-connect-to-database': (/** @type {string} */ url) => withClient(url, (c) => c.query('SELECT 1')),
  'create-database': async (/** @type {string} */ url) => {
    const { database } = connectionParameters(url);
    await onMaintenanceDb(url, `CREATE DATABASE ${quoteIdent(database)}`);
    return database;
  },
  'drop-database': async (/** @type {string} */ url) => {
    const { database } = connectionParameters(url);
    await onMaintenanceDb(url, `DROP DATABASE ${quoteIdent(database)}`);
    return database;
  },
};

/**
 * Maps a pg failure to the error the native engine reports, since the CLI branches on
 * the code (P1003 "database does not exist" makes `migrate dev` create it).
 * @param {any} error @param {string} url
 * @returns {{ code?: string, message: string }}
 */
function connectionError(error, url) {
  const { host, port, user, database } = connectionParameters(url);
  const at = `${host}:${port}`;
  switch (error?.code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ECONNRESET':
      return { code: 'P1001', message: `Can't reach database server at \`${at}\`\n\nPlease make sure your database server is running at \`${at}\`.` };
    case '3D000':
      return { code: 'P1003', message: `Database \`${database}\` does not exist on the database server at \`${at}\`.` };
    case '28P01':
    case '28000':
      return { code: 'P1000', message: `Authentication failed against database server at \`${at}\`, the provided database credentials for \`${user}\` are not valid.` };
    case '42501':
      return { code: 'P1010', message: `User \`${user}\` was denied access on the database \`${database}\`` };
    case '42P04':
      return { code: 'P1009', message: `Database \`${database}\` already exists on the database server at \`${at}\`` };
    default:
      return { message: String(error?.message ?? error) };
  }
}

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {{ datamodels: string[], datasource?: any, cliCommand?: string, version: boolean }} */
  const args = { datamodels: [], version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--datamodels') args.datamodels.push(argv[++i]);
    else if (arg === '--datasource') args.datasource = JSON.parse(argv[++i]);
    else if (arg === '--enabled-preview-features' || arg === '--extension-types') i++;
    else if (arg === '--version' || arg === '-V') args.version = true;
    else if (arg === 'cli') args.cliCommand = argv[++i];
    else throw new Error(`Unknown argument: ${arg}`);
  }
  return args;
}

/**
 * The one-shot form the CLI uses before it starts a session. On failure it skips the
 * first stderr line and looks for an ERROR line from `schema_engine::logger` carrying
 * `error_code` and `message`.
 * @param {string} command @param {string | undefined} url
 */
async function runCliCommand(command, url) {
  log('INFO', { message: `Starting schema engine CLI: ${command}` });
  const action = cliCommands[/** @type {keyof typeof cliCommands} */ (command)];
  if (!action) throw new Error(`Unknown CLI command: ${command}`);
  if (!url) throw new Error('The datasource has no url.');
  try {
    await action(url);
  } catch (error) {
    const { code, message } = connectionError(error, url);
    log('ERROR', { is_panic: false, error_code: code, message }, 'schema_engine::logger');
    process.exitCode = 1;
  }
}

/** CLI method names that differ from the wasm engine's. */
const METHOD_ALIASES = { getDatabaseVersion: 'version', migrateDiff: 'diff' };

/** @param {{ datamodels: string[], datasource?: any }} args */
async function serveRpc(args) {
  const datamodels = args.datamodels.map((file) => /** @type {[string, string]} */ ([file, fs.readFileSync(file, 'utf8')]));
  const url = args.datasource?.url;
  /** @type {Promise<import('./wasm-schema-engine.cjs').SchemaEngineHandle> | undefined} */
  let handlePromise;
  // Created on first use, so that a database that is not there yet fails the request that
  // needs it rather than the whole session.
  const engine = () => {
    handlePromise ??= createSchemaEngine({
      datamodels,
      datasourceUrl: url,
      shadowDatabaseUrl: args.datasource?.shadowDatabaseUrl,
      logCallback: (line) => process.stderr.write(line.endsWith('\n') ? line : `${line}\n`),
    });
    handlePromise.catch(() => (handlePromise = undefined));
    return handlePromise;
  };

  const send = (/** @type {object} */ message) => process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
  /** @type {Map<string, () => void>} */
  const pendingPrints = new Map();
  let printId = 0;
  /** The native engine prints diff output through a `print` request to the CLI. */
  const print = (/** @type {string} */ content) =>
    new Promise((resolve) => {
      const id = `bridge-print-${++printId}`;
      pendingPrints.set(id, () => resolve(undefined));
      send({ id, method: 'print', params: { content: content.replace(/\n$/, '') } });
    });

  /** @param {string} method @param {any} params */
  async function call(method, params) {
    if (method === 'createDatabase') {
      const target = params?.datasource?.tag === 'ConnectionString' ? params.datasource.url : url;
      return { databaseName: await cliCommands['create-database'](target) };
    }
    const handle = await engine();
    const name = METHOD_ALIASES[/** @type {keyof typeof METHOD_ALIASES} */ (method)] ?? method;
    const result = await handle.call(name, params);
    if (name === 'diff' && result?.stdout) {
      await print(result.stdout);
      return { ...result, stdout: null };
    }
    return result;
  }

  /** @param {any} request */
  async function handle(request) {
    try {
      const result = await call(request.method, request.params);
      send({ id: request.id, result: result === undefined ? null : result });
    } catch (error) {
      const described = handlePromise
        ? (await handlePromise.catch(() => undefined))?.describeError(error)
        : undefined;
      const { message, errorCode, meta, isPanic } = described ?? { message: String(/** @type {any} */ (error)?.message ?? error), errorCode: /** @type {any} */ (error)?.code, meta: undefined, isPanic: false };
      const code = typeof errorCode === 'string' && /^P\d{4}$/.test(errorCode) ? errorCode : undefined;
      send({
        id: request.id,
        error: {
          code: 4466,
          message: isPanic ? message : 'An error happened. Check the data field for details.',
          data: { is_panic: isPanic, message, meta: meta ?? null, error_code: code, ...(isPanic ? { error: { message } } : {}) },
        },
      });
      // A trapped wasm instance is not safe to use again; 101 is what the CLI reads as a panic.
      if (isPanic) setImmediate(() => shutdown(101));
    }
  }

  let queue = Promise.resolve();
  let shuttingDown = false;
  async function shutdown(code = 0) {
    if (shuttingDown) return;
    shuttingDown = true;
    await queue.catch(() => {});
    const handle = await handlePromise?.catch(() => undefined);
    await handle?.close().catch((e) => log('WARN', { message: `closing the engine: ${e.message}` }));
    // Pipes are asynchronous on some platforms: let the last response out before exiting.
    await new Promise((resolve) => process.stdout.write('', resolve));
    process.exit(code);
  }

  readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
    .on('line', (line) => {
      if (!line.trim()) return;
      let message;
      try {
        message = JSON.parse(line);
      } catch {
        send({ id: null, error: { code: -32700, message: 'Parse error' } });
        return;
      }
      if (message.method === undefined && pendingPrints.has(message.id)) {
        pendingPrints.get(message.id)?.();
        pendingPrints.delete(message.id);
        return;
      }
      // One request at a time, like the native engine's session.
      queue = queue.then(() => handle(message));
    })
    .on('close', () => shutdown(0));
  // The CLI ends stdin and then kills us; finish the cleanup (shadow databases, pools) first.
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => shutdown(0));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.version) {
    process.stdout.write(`schema-engine-wasm ${await engineVersion()}\n`);
  } else if (args.cliCommand) {
    await runCliCommand(args.cliCommand, args.datasource?.url);
  } else {
    await serveRpc(args);
  }
}

main().catch((error) => {
  log('ERROR', { is_panic: false, message: String(error?.stack ?? error) }, 'schema_engine::logger');
  process.exit(1);
});
