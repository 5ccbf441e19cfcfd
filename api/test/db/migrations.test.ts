/**
 * Prisma Migrate through the WebAssembly schema engine (scripts/prisma-bridge, a development
 * tool; production migrates with api/src/db/sql-migrator.ts): the repo's real migrations
 * against a real PostgreSQL server. Every test makes and drops its own databases; the server
 * is MIGRATION_DATABASE_URL, else DATABASE_URL, else the test PostgreSQL (TEST_DATABASE_URL:
 * the system one, or the embedded one the suite started).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scratchDatabases, sql } from '../support/scratch-databases';
import { migrateDeploy } from '../../../scripts/prisma-bridge/migrate-deploy.cjs';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../../..');
const SCHEMA = path.join(ROOT, 'prisma', 'schema.prisma');
const MIGRATIONS = path.join(ROOT, 'prisma', 'migrations');
const SERVER_URL = process.env.MIGRATION_DATABASE_URL || process.env.DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';

const databases = scratchDatabases(SERVER_URL, 'test_mig');
const freshDatabase = (label: string) => databases.fresh(label);
afterAll(async () => {
  await databases.dropAll();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
function run(script: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'prisma-bridge', script), ...args], {
      cwd,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
const prisma = (args: string[], databaseUrl: string) => run('prisma.cjs', args, { MIGRATION_DATABASE_URL: databaseUrl });

function migrationNames(): string[] {
  return fs
    .readdirSync(MIGRATIONS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort((a, b) => a.localeCompare(b));
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  applied_steps_count: number;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}
const BOOKKEEPING = `SELECT migration_name, checksum, applied_steps_count, finished_at, rolled_back_at, logs
                     FROM _prisma_migrations ORDER BY migration_name`;
const comparable = (rows: MigrationRow[]) =>
  rows.map(({ migration_name, checksum, applied_steps_count, finished_at, rolled_back_at, logs }) => ({
    migration_name,
    checksum,
    applied_steps_count,
    finished: finished_at !== null,
    rolled_back_at,
    logs,
  }));

describe('prisma migrate through scripts/prisma-bridge/prisma.cjs', () => {
  it('repo has migrations to test', () => {
    expect(migrationNames().length).toBeGreaterThan(0);
  });

  it('migrate deploy applies every migration to a fresh database, and migrate status then says up to date', async () => {
    const url = await freshDatabase('deploy');

    const deploy = await prisma(['migrate', 'deploy'], url);
    // Whole objects, so that a failure shows the command's output.
    expect(deploy).toMatchObject({ code: 0, stdout: expect.stringContaining('All migrations have been successfully applied.') });

    const rows = await sql<MigrationRow>(url, BOOKKEEPING);
    expect(rows.map((r) => r.migration_name)).toEqual(migrationNames());
    for (const row of rows) {
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }

    const status = await prisma(['migrate', 'status'], url);
    expect(status).toMatchObject({ code: 0, stdout: expect.stringContaining('Database schema is up to date!') });

    const again = await prisma(['migrate', 'deploy'], url);
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining('No pending migrations to apply.') });
  });

  it('a bare Prisma CLI (npx prisma migrate status) gets the bridge from prisma.config.ts', async () => {
    const url = await freshDatabase('bare');
    expect(await prisma(['migrate', 'deploy'], url)).toMatchObject({ code: 0 });
    const bare = await run('../../node_modules/prisma/build/index.js', ['migrate', 'status'], { MIGRATION_DATABASE_URL: url, PRISMA_SCHEMA_ENGINE_BINARY: '', CHECKPOINT_DISABLE: '1' });
    expect(bare).toMatchObject({ code: 0, stdout: expect.stringContaining('Database schema is up to date!') });
  });

  it('migrateDeploy() leaves the same database bookkeeping as the CLI', async () => {
    const viaCli = await freshDatabase('cli');
    const viaFunction = await freshDatabase('fn');

    expect(await prisma(['migrate', 'deploy'], viaCli)).toMatchObject({ code: 0 });
    const result = await migrateDeploy({ datasourceUrl: viaFunction, schemaPath: SCHEMA, migrationsDir: MIGRATIONS });
    expect(result.appliedMigrationNames).toEqual(migrationNames());

    expect(comparable(await sql<MigrationRow>(viaFunction, BOOKKEEPING))).toEqual(comparable(await sql<MigrationRow>(viaCli, BOOKKEEPING)));
    const status = await prisma(['migrate', 'status'], viaFunction);
    expect(status).toMatchObject({ code: 0, stdout: expect.stringContaining('Database schema is up to date!') });
    expect(await migrateDeploy({ datasourceUrl: viaFunction, schemaPath: SCHEMA, migrationsDir: MIGRATIONS })).toEqual({
      appliedMigrationNames: [],
    });
  });
});

describe('migrate dev through scripts/prisma-bridge/prisma.cjs', () => {
  const shadowDatabases = async () =>
    (await sql<{ datname: string }>(SERVER_URL, `SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'`)).map((r) => r.datname);

  it('replays the migrations on a shadow database, then creates and applies one for a schema change', async () => {
    const url = await freshDatabase('dev');
    const before = await shadowDatabases();
    // A scratch copy, so that the new migration is not written into the repository.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-dev-'));
    try {
      fs.cpSync(MIGRATIONS, path.join(dir, 'prisma', 'migrations'), { recursive: true });
      const model = `DevProbe${randomBytes(3).toString('hex')}`;
      fs.writeFileSync(path.join(dir, 'prisma', 'schema.prisma'), `${fs.readFileSync(SCHEMA, 'utf8')}\nmodel ${model} {\n  id Int @id\n}\n`);
      fs.writeFileSync(
        path.join(dir, 'prisma.config.mjs'),
        `export default { schema: 'prisma/schema.prisma', migrations: { path: 'prisma/migrations' }, datasource: { url: process.env.MIGRATION_DATABASE_URL } };\n`,
      );

      const dev = await run('prisma.cjs', ['migrate', 'dev', '--name', 'probe', '--config', 'prisma.config.mjs'], { MIGRATION_DATABASE_URL: url }, dir);
      expect(dev).toMatchObject({ code: 0, stdout: expect.stringContaining('Your database is now in sync with your schema.') });

      const created = fs.readdirSync(path.join(dir, 'prisma', 'migrations')).filter((name) => name.endsWith('_probe'));
      expect(created).toHaveLength(1);
      expect(fs.readFileSync(path.join(dir, 'prisma', 'migrations', created[0], 'migration.sql'), 'utf8')).toContain(`CREATE TABLE "${model}"`);
      const applied = (await sql<MigrationRow>(url, BOOKKEEPING)).map((r) => r.migration_name);
      expect(applied).toEqual([...migrationNames(), created[0]]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(await shadowDatabases()).toEqual(before);
  });
});

describe('drift check (scripts/prisma-bridge/db-check.cjs)', () => {
  const driftDatabases = async () =>
    (await sql<{ datname: string }>(SERVER_URL, `SELECT datname FROM pg_database WHERE datname LIKE 'drift_check_%'`)).map((r) => r.datname);

  it('passes on the repo schema and fails on a schema change that has no migration', async () => {
    const before = await driftDatabases();

    const inSync = await run('db-check.cjs', [], { MIGRATION_DATABASE_URL: SERVER_URL });
    expect(inSync).toMatchObject({ code: 0, stdout: expect.stringContaining('the migrations match the schema') });

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-'));
    try {
      const schema = path.join(dir, 'schema.prisma');
      const model = `DriftProbe${randomBytes(3).toString('hex')}`;
      fs.writeFileSync(schema, `${fs.readFileSync(SCHEMA, 'utf8')}\nmodel ${model} {\n  id Int @id\n}\n`);

      const drift = await run('db-check.cjs', ['--schema', schema, '--migrations', MIGRATIONS], { MIGRATION_DATABASE_URL: SERVER_URL });
      expect(drift).toMatchObject({ code: 2, stdout: expect.stringContaining(model), stderr: expect.stringContaining('DRIFT') });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }

    // The throwaway databases are gone, on success and on drift alike.
    expect(await driftDatabases()).toEqual(before);
  });
});
