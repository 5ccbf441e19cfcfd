'use strict';
/**
 * Runs Prisma's schema engine (the part behind `prisma migrate`) as WebAssembly inside
 * Node, talking to PostgreSQL through @prisma/adapter-pg, so no native `schema-engine`
 * binary (and no download of one) is needed.
 *
 * Verified with @prisma/schema-engine-wasm 8.1.0-2.59be4fda…, @prisma/adapter-pg 7.10.1,
 * @prisma/driver-adapter-utils 7.10.1 and pg 8.23: the adapter quirks patched below are
 * specific to those versions, so re-check them when bumping any of the four.
 */
const fs = require('node:fs');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { pathToFileURL } = require('node:url');
const pg = require('pg');
const { PrismaPg } = require('@prisma/adapter-pg');
const { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } = require('@prisma/driver-adapter-utils');

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/** @type {WeakMap<unknown[], number[]>} result rows -> indices of their `"char"` columns */
const charColumnsOfRows = new WeakMap();

/**
 * The engine's catalog queries return PostgreSQL's internal `"char"` type (pg_constraint's
 * contype, confdeltype, …) and read it as a Rust `char`; adapter-pg 7.10.1 has no mapping
 * for that OID and throws. Such columns are reported to the adapter as `text` (lossless:
 * pg already parsed them to one-letter strings) and remembered, so that `withCharColumns`
 * can then type them `Character`, which is what the engine needs (as `Text` it panics on
 * the first CHECK constraint).
 * @param {any} result a pg Result, or an array of them for multi-statement queries
 */
function hideCharColumns(result) {
  for (const r of Array.isArray(result) ? result : [result]) {
    /** @type {number[]} */
    const indices = [];
    (r?.fields ?? []).forEach((/** @type {any} */ field, /** @type {number} */ i) => {
      if (field.dataTypeID === PG_CHAR_OID) {
        field.dataTypeID = PG_TEXT_OID;
        indices.push(i);
      }
    });
    if (indices.length && Array.isArray(r.rows)) charColumnsOfRows.set(r.rows, indices);
  }
  return result;
}

/**
 * The adapter's result set keeps pg's `rows` array, which is how its `"char"` columns are
 * found again.
 * @param {{ columnTypes: number[], rows: unknown[] }} resultSet
 */
function withCharColumns(resultSet) {
  for (const i of charColumnsOfRows.get(resultSet.rows) ?? []) resultSet.columnTypes[i] = ColumnTypeEnum.Character;
  return resultSet;
}

/**
 * Applied as the pool's `Client` so that every connection gets the fix, whichever pool
 * (main or shadow) creates it and whether pg calls it promise- or callback-style.
 */
class CharAsTextClient extends pg.Client {
  /** @param {any} config @param {any} [values] @param {Function} [callback] */
  query(config, values, callback) {
    if (config && typeof config.submit === 'function') return super.query(config, values, callback);
    if (typeof values === 'function') {
      callback = values;
      values = undefined;
    }
    if (config && typeof config === 'object' && typeof config.callback === 'function') {
      const cb = config.callback;
      config = { ...config, callback: (err, res) => cb(err, err ? res : hideCharColumns(res)) };
    }
    if (typeof callback === 'function') {
      return super.query(config, values, (err, res) => callback(err, err ? res : hideCharColumns(res)));
    }
    const pending = super.query(config, values);
    return pending && pending.then(hideCharColumns);
  }
}

/** @param {pg.Client} client */
function socketClosed(client) {
  const stream = /** @type {any} */ (client).connection?.stream;
  if (!stream || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('close', resolve);
    setTimeout(resolve, 5000).unref(); // never hang a shutdown on a stuck socket
  });
}

/**
 * @param {string} url
 * @param {string} database
 */
function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.href;
}

/**
 * @template {any} A a PrismaPgAdapter
 * @param {A} adapter
 * @returns {A}
 */
function patchAdapter(adapter) {
  const pool = adapter.underlyingDriver();
  const queryRaw = adapter.queryRaw.bind(adapter);
  adapter.queryRaw = async (/** @type {any} */ query) => withCharColumns(await queryRaw(query));
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (/** @type {any[]} */ ...args) => {
    const tx = await startTransaction(...args);
    const txQueryRaw = tx.queryRaw.bind(tx);
    tx.queryRaw = async (/** @type {any} */ query) => withCharColumns(await txQueryRaw(query));
    return tx;
  };
  adapter.executeScript = async (/** @type {string} */ script) => {
    try {
      await pool.query(script);
    } catch (error) {
      adapter.onError(error); // rethrows it as the adapter's structured database error
    }
  };
  return adapter;
}

/**
 * PrismaPg with the fixes the migration engine needs:
 * - `"char"` columns typed as the engine expects (see hideCharColumns);
 * - executeScript: the stock one splits the script on every `;`, which breaks DO $$…$$
 *   blocks, function bodies and string literals; a migration is sent whole instead, as
 *   one simple-protocol query (PostgreSQL runs it as one implicit transaction, like the
 *   native engine does).
 * - connectToShadowDb: the stock one spreads `database` next to `connectionString`, and pg
 *   lets the connection string win, so the "shadow" pool silently pointed at the main
 *   database. It also honours an explicit shadowDatabaseUrl.
 * - every pool it opens is remembered, so `closeAll()` can leave no connection behind.
 * It is only ever used for migrations, never by the API's Prisma Client.
 */
class MigrationPgFactory extends PrismaPg {
  /**
   * @param {string} url
   * @param {{ shadowDatabaseUrl?: string, maxConnections?: number, schema?: string }} [options]
   */
  constructor(url, options = {}) {
    /** @type {Set<pg.Client>} */
    const clients = new Set();
    super(
      {
        connectionString: url,
        Client: class extends CharAsTextClient {
          constructor(/** @type {any} */ config) {
            super(config);
            clients.add(this);
          }
        },
        max: options.maxConnections ?? 10,
        // `?schema=` is Prisma's, not pg's: the engine describes that schema, so the
        // migrations' unqualified names must land there too.
        ...(options.schema ? { options: `-c search_path="${options.schema.replace(/"/g, '""')}"` } : {}),
      },
      options.schema ? { schema: options.schema } : undefined,
    );
    this.url = url;
    this.migrationOptions = options;
    this.clients = clients;
    /** @type {MigrationPgFactory[]} factories of shadow databases, whose sockets closeAll also awaits */
    this.shadowFactories = [];
    /** @type {Set<{ dispose(): Promise<void> }>} */
    this.openAdapters = new Set();
  }

  async connect() {
    // Without a url pg would silently fall back to PGHOST/localhost defaults.
    if (!this.url) throw new Error('No datasource url is configured (set it in prisma.config.ts).');
    return this.remember(patchAdapter(await super.connect()));
  }

  async connectToShadowDb() {
    const { shadowDatabaseUrl, maxConnections } = this.migrationOptions;
    if (shadowDatabaseUrl) {
      const shadowFactory = new MigrationPgFactory(shadowDatabaseUrl, { maxConnections });
      this.shadowFactories.push(shadowFactory);
      return this.remember(await shadowFactory.connect());
    }
    const main = await this.connect();
    const database = `prisma_migrate_shadow_db_${randomUUID()}`;
    await main.executeScript(`CREATE DATABASE "${database}"`);
    const shadowFactory = new MigrationPgFactory(withDatabase(this.url, database), { maxConnections });
    this.shadowFactories.push(shadowFactory);
    const shadow = await shadowFactory.connect();
    const disposeShadow = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      try {
        await disposeShadow();
        await main.executeScript(`DROP DATABASE IF EXISTS "${database}"`);
      } finally {
        await main.dispose();
      }
    };
    return this.remember(shadow);
  }

  /**
   * @template {{ dispose(): Promise<void> }} A
   * @param {A} adapter
   * @returns {A}
   */
  remember(adapter) {
    const dispose = adapter.dispose.bind(adapter);
    let disposed = false;
    adapter.dispose = async () => {
      if (disposed) return;
      disposed = true;
      this.openAdapters.delete(adapter);
      await dispose();
    };
    this.openAdapters.add(adapter);
    return adapter;
  }

  /**
   * Newest first, so a shadow database is dropped before the pool that created it ends.
   * `pool.end()` resolves before its sockets are closed; waiting for them means every
   * connection is gone when the handle's `close()` settles.
   */
  async closeAll() {
    const errors = [];
    for (const adapter of [...this.openAdapters].reverse()) {
      await adapter.dispose().catch((e) => errors.push(e));
    }
    const factories = [this, ...this.shadowFactories];
    await Promise.all(factories.flatMap((f) => [...f.clients]).map(socketClosed));
    for (const f of factories) f.clients.clear();
    if (errors.length) throw errors[0];
  }
}

/**
 * The engine arms timeouts (e.g. around connecting) and never clears them (the glue has
 * no clearTimeout), so each would hold the process open for its full length after the
 * work is done. They are unref'd; open sockets keep the process alive while work runs.
 * @param {WebAssembly.Module} wasmModule
 * @param {Record<string, any>} glue
 */
function importObject(wasmModule, glue) {
  const functions = { ...glue };
  for (const [name, fn] of Object.entries(glue)) {
    if (name.startsWith('__wbg_setTimeout_')) {
      functions[name] = (/** @type {any[]} */ ...args) => {
        const timer = fn(...args);
        timer?.unref?.();
        return timer;
      };
    }
  }
  return Object.fromEntries(WebAssembly.Module.imports(wasmModule).map(({ module }) => [module, functions]));
}

/**
 * The glue is an ES module. Jest runs CommonJS in a VM context where `import()` throws
 * unless Node runs with --experimental-vm-modules, and the API's tests run this code
 * there; so when the import fails the glue is evaluated as a script instead. It is
 * generated by wasm-bindgen: top-level `export function` / `export class` and no imports.
 * @param {string} gluePath
 */
async function importGlue(gluePath) {
  try {
    return await import(pathToFileURL(gluePath).href);
  } catch (importError) {
    const source = fs.readFileSync(gluePath, 'utf8');
    const names = [...source.matchAll(/^export (?:function|class) ([\w$]+)/gm)].map((m) => m[1]);
    const body = source.replace(/^export (?=function |class )/gm, '');
    if (!names.includes('__wbg_set_wasm') || /^\s*(?:import|export)\b/m.test(body)) throw importError;
    return new Function(`'use strict';\n${body}\nreturn { ${names.join(', ')} };`)();
  }
}

/** @type {Promise<any> | undefined} */
let bindingsPromise;

/**
 * The package entry imports the .wasm file as an ES module, which Node 20 can't do without
 * a flag, so the module is instantiated here by hand against its generated JS glue.
 */
function loadBindings() {
  bindingsPromise ??= (async () => {
    const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const glue = await importGlue(gluePath);
    const wasmModule = new WebAssembly.Module(fs.readFileSync(path.join(path.dirname(gluePath), 'schema_engine_bg.wasm')));
    const instance = new WebAssembly.Instance(wasmModule, importObject(wasmModule, glue));
    // The engine's panic hook reports through this global before it traps.
    globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
      message: '',
      set_message(/** @type {string} */ message) {
        this.message = message;
      },
    };
    glue.__wbg_set_wasm(instance.exports);
    instance.exports.__wbindgen_start();
    return glue;
  })();
  return bindingsPromise;
}

/** @returns {Promise<string>} the engine's commit hash */
async function engineVersion() {
  return (await loadBindings()).version();
}

/** @type {Set<(error: unknown) => void>} rejecters of the engine calls in flight */
const callsInFlight = new Set();

/** @param {unknown} error */
function onUncaughtException(error) {
  if (error instanceof WebAssembly.RuntimeError) {
    bindingsPromise = undefined; // a trapped instance is not safe to reuse
    for (const reject of callsInFlight) reject(error);
    // The trapped calls will never settle on their own.
    callsInFlight.clear();
    process.off('uncaughtException', onUncaughtException);
  } else if (process.listenerCount('uncaughtException') === 1) {
    // We are the only listener: give the error the crash it would have had without us.
    process.off('uncaughtException', onUncaughtException);
    process.nextTick(() => {
      throw error;
    });
  }
}

/**
 * A Rust panic traps the wasm instance inside a callback the glue schedules, so it
 * surfaces as an uncaught exception rather than as a rejection of the call that caused
 * it. While calls run, such a trap is turned into their rejection; any other uncaught
 * exception keeps Node's default fate.
 * @template T @param {() => Promise<T>} run @returns {Promise<T>}
 */
function capturePanics(run) {
  return new Promise((resolve, reject) => {
    if (callsInFlight.size === 0) process.on('uncaughtException', onUncaughtException);
    callsInFlight.add(reject);
    Promise.resolve()
      .then(run)
      .then(resolve, reject)
      .finally(() => {
        callsInFlight.delete(reject);
        if (callsInFlight.size === 0) process.off('uncaughtException', onUncaughtException);
      });
  });
}

/**
 * @typedef {object} SchemaEngineHandle
 * @property {(method: string, params?: unknown) => Promise<any>} call runs one engine method
 *   (names as in @prisma/schema-engine-wasm's SchemaEngine: applyMigrations, diff, version, …)
 * @property {(error: unknown) => { message: string, errorCode?: string, meta?: unknown, isPanic: boolean }} describeError
 *   turns a rejection of `call` into what Prisma's CLI expects
 * @property {() => Promise<void>} close frees the engine and ends every connection it opened
 */

/**
 * @param {object} options
 * @param {Array<[string, string]>} [options.datamodels] `[path, content]` of each schema file
 * @param {string} [options.datasourceUrl] may be omitted for schema-only work (e.g. diffs between schema files)
 * @param {string} [options.shadowDatabaseUrl] used as is: it must be an empty database
 * @param {number} [options.maxConnections] pool size of the engine's connections
 * @param {(line: string) => void} [options.logCallback] receives the engine's JSON log lines
 * @returns {Promise<SchemaEngineHandle>}
 */
async function createSchemaEngine({ datamodels, datasourceUrl, shadowDatabaseUrl, maxConnections, logCallback }) {
  const { SchemaEngine } = await loadBindings();
  const schema = datasourceUrl ? (new URL(datasourceUrl).searchParams.get('schema') ?? undefined) : undefined;
  const factory = new MigrationPgFactory(datasourceUrl, { shadowDatabaseUrl, maxConnections, schema });
  const bound = bindMigrationAwareSqlAdapterFactory(factory);

  /** @param {unknown} error */
  const describeError = (error) => {
    const e = /** @type {any} */ (error);
    // A JS error thrown inside the adapter comes back as "External error id#N", N being
    // its slot in the adapter's error registry.
    const id = /External error id#(\d+)/.exec(String(e?.message))?.[1];
    const registered = id === undefined ? undefined : bound.errorRegistry.consumeError(Number(id));
    if (registered) return describeError(registered.error);
    if (error instanceof WebAssembly.RuntimeError) {
      const panic = globalThis.PRISMA_WASM_PANIC_REGISTRY?.message;
      return { message: panic || String(e.message), isPanic: true };
    }
    return {
      message: String(e?.message ?? e),
      errorCode: typeof e?.code === 'string' ? e.code : undefined,
      meta: e?.meta,
      isPanic: false,
    };
  };

  /** @type {any} */
  let engine;
  try {
    const options = { datamodels: datamodels?.length ? datamodels : undefined };
    engine = await capturePanics(() => SchemaEngine.new(options, (/** @type {string} */ line) => logCallback?.(line), bound));
  } catch (error) {
    await factory.closeAll().catch(() => {});
    const d = describeError(error);
    throw Object.assign(new Error(d.message), { code: d.errorCode, meta: d.meta });
  }

  /** @param {string} method @param {any} params */
  const callOnce = (method, params) => {
    if (typeof engine[method] !== 'function') return Promise.reject(new Error(`The wasm schema engine has no method ${method}`));
    // Called on the engine itself: its methods are not bound.
    return capturePanics(() => engine[method](params));
  };

  let closed = false;
  return {
    async call(method, params) {
      try {
        return await callOnce(method, params);
      } catch (error) {
        // evaluateDataLoss and createMigration get no shadow database in the wasm engine: they
        // only read "the schema the migrations build" from a per-engine cache that
        // devDiagnostic fills, keyed by the migrations applied to the main database. In
        // `migrate dev` those change between the CLI's devDiagnostic and these calls (it
        // applies pending migrations in between), so the cache misses. Refilling it now,
        // when all of them are applied, and retrying once is what the native engine's own
        // shadow database would have given.
        const needsCache = (method === 'evaluateDataLoss' || method === 'createMigration') && params?.migrationsList;
        if (!needsCache || !/shadow DB must be provided through an external factory/.test(String(/** @type {any} */ (error)?.message))) throw error;
        await callOnce('devDiagnostic', { migrationsList: params.migrationsList, filters: params.filters ?? { externalTables: [], externalEnums: [] } });
        return callOnce(method, params);
      }
    },
    describeError,
    async close() {
      if (closed) return;
      closed = true;
      try {
        engine.free();
      } catch {
        // Only fails after a panic, when the instance is being discarded anyway.
      }
      await factory.closeAll();
    },
  };
}

module.exports = { createSchemaEngine, engineVersion, withDatabase };
