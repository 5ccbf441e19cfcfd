'use strict';
/**
 * `prisma migrate deploy` without spawning the CLI: the same engine call
 * (`applyMigrations`) with the migrations list built the way the CLI builds it, so the
 * database and its `_prisma_migrations` rows end up identical, in a fraction of the time.
 * Development only: the drift check (db-check.cjs) and the test that holds the production
 * runner (api/src/db/sql-migrator.ts) to Prisma's bookkeeping.
 */
const fs = require('node:fs');
const path = require('node:path');
const { createSchemaEngine } = require('./wasm-schema-engine.cjs');

/**
 * Mirrors the CLI: every sub-directory is a migration (sorted by name), its
 * `migration.sql` read as-is; a missing file is reported to the engine, not thrown here.
 * @param {string} migrationsDir absolute path
 */
function readMigrationsList(migrationsDir) {
  const read = (/** @type {string} */ file) => fs.readFileSync(path.join(migrationsDir, file), 'utf8');
  let lockfile = null;
  try {
    lockfile = read('migration_lock.toml');
  } catch {}
  const dirs = fs.existsSync(migrationsDir)
    ? fs.readdirSync(migrationsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)
    : [];
  const migrationDirectories = dirs.sort((a, b) => a.localeCompare(b)).map((dir) => {
    let content;
    try {
      content = { tag: 'ok', value: read(path.join(dir, 'migration.sql')) };
    } catch (error) {
      content = { tag: 'error', value: /** @type {Error} */ (error).message };
    }
    return { path: dir, migrationFile: { path: 'migration.sql', content } };
  });
  return { baseDir: migrationsDir, lockfile: { path: 'migration_lock.toml', content: lockfile }, shadowDbInitScript: '', migrationDirectories };
}

/**
 * A schema may be one file or a folder of `.prisma` files.
 * @param {string} schemaPath
 * @returns {Array<[string, string]>}
 */
function readSchemaFiles(schemaPath) {
  if (!fs.statSync(schemaPath).isDirectory()) return [[schemaPath, fs.readFileSync(schemaPath, 'utf8')]];
  return fs
    .readdirSync(schemaPath, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.prisma'))
    .sort()
    .map((f) => [path.join(schemaPath, f), fs.readFileSync(path.join(schemaPath, f), 'utf8')]);
}

/**
 * Applies the pending migrations of `migrationsDir` to the database at `datasourceUrl`.
 * Rejects with the engine's error (with `.code`, e.g. P3009 for an earlier failed
 * migration) when one fails; the failure is recorded in `_prisma_migrations` as the CLI
 * would. Every connection it opened is closed before it settles.
 * @param {object} options
 * @param {string} options.datasourceUrl e.g. `postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable`
 * @param {string} [options.schemaPath] schema file or folder; default: this repository's `prisma/schema.prisma`
 * @param {string} [options.migrationsDir] default: `migrations` next to the schema
 * @param {number} [options.maxConnections] default 1: migrations run one statement at a time
 * @param {{ externalTables: string[], externalEnums: string[] }} [options.filters] as `tables.external` / `enums.external` in prisma.config.ts
 * @param {(line: string) => void} [options.log] receives the engine's JSON log lines
 * @returns {Promise<{ appliedMigrationNames: string[] }>}
 */
async function migrateDeploy({ datasourceUrl, schemaPath, migrationsDir, maxConnections = 1, filters, log }) {
  // Relative to this file, not the cwd, so it works from any working directory.
  const schema = path.resolve(schemaPath ?? path.join(__dirname, '..', '..', 'prisma', 'schema.prisma'));
  const migrations = path.resolve(migrationsDir ?? path.join(fs.statSync(schema).isDirectory() ? schema : path.dirname(schema), 'migrations'));
  const datamodels = readSchemaFiles(schema);
  const handle = await createSchemaEngine({ datamodels, datasourceUrl, maxConnections, logCallback: log });
  try {
    const { appliedMigrationNames } = await handle.call('applyMigrations', {
      migrationsList: readMigrationsList(migrations),
      filters: filters ?? { externalTables: [], externalEnums: [] },
    });
    return { appliedMigrationNames };
  } catch (error) {
    const { message, errorCode, meta } = handle.describeError(error);
    throw Object.assign(new Error(message, { cause: error }), { code: errorCode, meta });
  } finally {
    await handle.close();
  }
}

module.exports = { migrateDeploy };
