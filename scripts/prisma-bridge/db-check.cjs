#!/usr/bin/env node
'use strict';
/**
 * Drift check: do the migrations build exactly the database that the Prisma schema
 * describes? Applies every migration to a throwaway database on the server of
 * MIGRATION_DATABASE_URL (else DATABASE_URL, else the local default), diffs that database
 * against the schema, and drops it again, whatever happens.
 *
 *   npm run db:check -- [--schema prisma/schema.prisma] [--migrations prisma/migrations]
 *
 * Exit 0: in sync. 2: drift (a schema change has no migration, or a migration was edited
 * by hand in a way the schema doesn't say). 1: the check itself failed.
 *
 * It diffs the migrated database (`--from-config-datasource`) rather than using
 * `--from-migrations`, so the migrations are applied exactly as `migrate deploy` applies them.
 */
const path = require('node:path');
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const pg = require('pg');
const { migrateDeploy } = require('./migrate-deploy.cjs');
const { withDatabase } = require('./wasm-schema-engine.cjs');

const ROOT = path.join(__dirname, '..', '..');
const DEFAULT_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

/** @param {string[]} argv */
function parseArgs(argv) {
  const args = { schema: path.join(ROOT, 'prisma', 'schema.prisma'), migrations: /** @type {string | undefined} */ (undefined) };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = () => inline ?? argv[++i];
    if (flag === '--schema') args.schema = path.resolve(value());
    else if (flag === '--migrations' || flag === '--migrations-dir') args.migrations = path.resolve(value());
    else throw new Error(`Unknown argument: ${argv[i]} (accepted: --schema <path>, --migrations <dir>)`);
  }
  args.migrations ??= path.join(path.dirname(args.schema), 'migrations');
  return args;
}

/** Runs SQL from the configured database, or from `postgres` if that one doesn't exist yet. */
async function adminQuery(/** @type {string} */ baseUrl, /** @type {string} */ sql) {
  for (const url of [baseUrl, withDatabase(baseUrl, 'postgres')]) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      return await client.query(sql);
    } catch (error) {
      if (/** @type {any} */ (error).code !== '3D000' || url !== baseUrl) throw error;
    } finally {
      await client.end().catch(() => {});
    }
  }
}

/** @param {string} baseUrl @param {string} name */
async function dropDatabase(baseUrl, name) {
  try {
    // FORCE (PostgreSQL 13+) also ends any connection left behind.
    await adminQuery(baseUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } catch (error) {
    if (/** @type {any} */ (error).code !== '42601') throw error;
    await adminQuery(baseUrl, `DROP DATABASE IF EXISTS "${name}"`);
  }
}

/** @type {import('node:child_process').ChildProcess | undefined} */
let child;

/** @param {string[]} args @param {NodeJS.ProcessEnv} env @returns {Promise<number>} */
function runPrisma(args, env) {
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, [path.join(__dirname, 'prisma.cjs'), ...args], { cwd: ROOT, env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const baseUrl = process.env.MIGRATION_DATABASE_URL || process.env.DATABASE_URL || DEFAULT_URL;
  const name = `drift_check_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const url = withDatabase(baseUrl, name);

  let dropping;
  const cleanup = () => (dropping ??= dropDatabase(baseUrl, name).catch((e) => console.error(`db-check: could not drop ${name}: ${e.message}`)));
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
    process.on(signal, () => {
      child?.kill(signal);
      cleanup().finally(() => process.exit(1));
    });
  }

  await adminQuery(baseUrl, `CREATE DATABASE "${name}"`);
  try {
    try {
      const { appliedMigrationNames } = await migrateDeploy({ datasourceUrl: url, schemaPath: args.schema, migrationsDir: args.migrations });
      console.log(`db-check: applied ${appliedMigrationNames.length} migration(s) from ${path.relative(process.cwd(), args.migrations) || '.'} to a fresh database.`);
    } catch (error) {
      console.error(`db-check: the migrations do not apply to a fresh database:\n${/** @type {Error} */ (error).message}`);
      return 1;
    }
    const code = await runPrisma(
      ['migrate', 'diff', '--from-config-datasource', '--to-schema', args.schema, '--exit-code'],
      // prisma.config.ts reads MIGRATION_DATABASE_URL first.
      { ...process.env, MIGRATION_DATABASE_URL: url },
    );
    if (code === 0) {
      console.log('db-check: the migrations match the schema.');
      return 0;
    }
    if (code === 2) {
      console.error(
        'db-check: DRIFT. The database the migrations build differs from the schema as listed above ' +
          '(changes needed to go from the migrations to the schema). Create the missing migration with ' +
          '`npm run db:migrate:dev -- --name <change>` or fix the schema.',
      );
      return 2;
    }
    console.error(`db-check: prisma migrate diff failed (exit code ${code}).`);
    return 1;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`db-check: ${error.stack ?? error}`);
    process.exit(1);
  },
);
