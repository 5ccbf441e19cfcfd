/**
 * The production migration runner (api/src/db/sql-migrator.ts) against a real PostgreSQL: it
 * builds the same database and the same `_prisma_migrations` rows as Prisma's own engine (run
 * here through the development bridge), Prisma's CLI then agrees the database is up to date,
 * and it refuses what it must: an applied migration edited since, a failed one half-applied,
 * two runs applying at once. Every test makes and drops its own databases.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { scratchDatabases, sql } from '../support/scratch-databases';
import { migrateDeploy } from '../../../scripts/prisma-bridge/migrate-deploy.cjs';
import { PRISMA_MIGRATE_LOCK_KEY, sqlMigrate } from '../../src/db/sql-migrator';
import { PROJECT_ROOT } from '../../src/project-root';

jest.setTimeout(120_000);

const SCHEMA = path.join(PROJECT_ROOT, 'prisma', 'schema.prisma');
const MIGRATIONS = path.join(PROJECT_ROOT, 'prisma', 'migrations');
const SERVER_URL = process.env.TEST_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';

const databases = scratchDatabases(SERVER_URL, 'test_sqlmig');
const freshDatabase = (label: string) => databases.fresh(label);

const scratch: string[] = [];
/** A copy of the repository's migrations that a test may edit. */
function migrationsCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sql-migrator-'));
  scratch.push(dir);
  fs.cpSync(MIGRATIONS, dir, { recursive: true });
  return dir;
}
function addMigration(dir: string, name: string, body: string): void {
  fs.mkdirSync(path.join(dir, name));
  fs.writeFileSync(path.join(dir, name, 'migration.sql'), body);
}

afterAll(async () => {
  await databases.dropAll();
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

function migrationNames(dir = MIGRATIONS): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort((a, b) => a.localeCompare(b));
}

interface MigrationRow {
  id: string;
  migration_name: string;
  checksum: string;
  applied_steps_count: number;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}
const rowsOf = (url: string) => sql<MigrationRow>(url, 'SELECT * FROM _prisma_migrations ORDER BY migration_name');
const comparable = (rows: MigrationRow[]) =>
  rows.map(({ migration_name, checksum, applied_steps_count, finished_at, rolled_back_at, logs }) => ({
    migration_name,
    checksum,
    applied_steps_count,
    finished: finished_at !== null,
    rolled_back_at,
    logs,
  }));

/** What the migrations built: columns, indexes, constraints, policies, RLS flags, functions, triggers, grants. */
async function schemaFingerprint(url: string): Promise<string[]> {
  const rows = await sql<{ line: string }>(
    url,
    `SELECT format('column %s.%s %s null=%s default=%s', table_name, column_name, udt_name, is_nullable, column_default) AS line
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
     UNION ALL SELECT format('index %s', indexdef) FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'
     UNION ALL SELECT format('constraint %s %s', conrelid::regclass, pg_get_constraintdef(oid)) FROM pg_constraint
       WHERE connamespace = 'public'::regnamespace AND conrelid <> '_prisma_migrations'::regclass
     UNION ALL SELECT format('policy %s.%s %s %s %s', tablename, policyname, roles, qual, with_check) FROM pg_policies WHERE schemaname = 'public'
     UNION ALL SELECT format('rls %s %s %s', relname, relrowsecurity, relforcerowsecurity) FROM pg_class
       WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
     UNION ALL SELECT format('function %s %s', oid::regprocedure, md5(prosrc)) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
     UNION ALL SELECT format('trigger %s %s', tgrelid::regclass, tgname) FROM pg_trigger WHERE NOT tgisinternal
     UNION ALL SELECT format('grant %s %s %s', table_name, grantee, privilege_type) FROM information_schema.table_privileges
       WHERE table_schema = 'public' AND grantee <> 'postgres'`,
  );
  return rows.map((r) => r.line).sort();
}

/** The Prisma CLI through the development bridge, as `npm run db:status` runs it. */
function prismaCli(args: string[], databaseUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'scripts/prisma-bridge/prisma.cjs'), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, MIGRATION_DATABASE_URL: databaseUrl },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the SQL migration runner', () => {
  it("applies every migration to an empty database, recording _prisma_migrations as Prisma's engine does, and a second run applies nothing", async () => {
    const viaRunner = await freshDatabase('runner');
    const viaPrisma = await freshDatabase('prisma');

    const first = await sqlMigrate({ databaseUrl: viaRunner, migrationsDir: MIGRATIONS });
    expect(first).toEqual({ applied: migrationNames(), unknown: [] });
    await migrateDeploy({ datasourceUrl: viaPrisma, schemaPath: SCHEMA, migrationsDir: MIGRATIONS });

    const rows = await rowsOf(viaRunner);
    expect(comparable(rows)).toEqual(comparable(await rowsOf(viaPrisma)));
    for (const row of rows) {
      const file = fs.readFileSync(path.join(MIGRATIONS, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(file).digest('hex'));
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
    }
    expect(await schemaFingerprint(viaRunner)).toEqual(await schemaFingerprint(viaPrisma));

    // The app role may not read the bookkeeping: the migration that revokes it ran after the table existed.
    const [rights] = await sql<{ can_read: boolean }>(viaRunner, `SELECT has_table_privilege('tracker_app', '_prisma_migrations', 'SELECT') AS can_read`);
    expect(rights).toEqual({ can_read: false });

    expect(await sqlMigrate({ databaseUrl: viaRunner, migrationsDir: MIGRATIONS })).toEqual({ applied: [], unknown: [] });
    expect(await rowsOf(viaRunner)).toEqual(rows);
  });

  it("leaves a database Prisma's CLI calls up to date, and continues one that Prisma's engine migrated", async () => {
    const url = await freshDatabase('status');
    const dir = migrationsCopy();
    const newest = migrationNames().at(-1)!;
    fs.rmSync(path.join(dir, newest), { recursive: true });
    await migrateDeploy({ datasourceUrl: url, schemaPath: SCHEMA, migrationsDir: dir });

    expect(await sqlMigrate({ databaseUrl: url, migrationsDir: MIGRATIONS })).toEqual({ applied: [newest], unknown: [] });
    const status = await prismaCli(['migrate', 'status'], url);
    expect(status).toMatchObject({ code: 0, stdout: expect.stringContaining('Database schema is up to date!') });
  });

  it('refuses an applied migration whose file changed since, naming it, and applies nothing after it', async () => {
    const url = await freshDatabase('edited');
    const dir = migrationsCopy();
    await sqlMigrate({ databaseUrl: url, migrationsDir: dir });
    const [edited] = migrationNames(dir).slice(1, 2);
    fs.appendFileSync(path.join(dir, edited!, 'migration.sql'), '\n-- an afterthought\n');
    addMigration(dir, '29991231000000_after_the_edit', 'CREATE TABLE after_the_edit (id int);\n');
    const before = await rowsOf(url);

    await expect(sqlMigrate({ databaseUrl: url, migrationsDir: dir })).rejects.toThrow(
      new RegExp(`^checksum mismatch: ${edited}/migration\\.sql changed after it was applied .*nothing was applied`),
    );
    expect(await rowsOf(url)).toEqual(before);
    expect(await sql(url, `SELECT to_regclass('after_the_edit') AS t`)).toEqual([{ t: null }]);
  });

  it('rolls a failing migration back whole, records nothing for it, and applies it once fixed', async () => {
    const url = await freshDatabase('failing');
    const dir = migrationsCopy();
    await sqlMigrate({ databaseUrl: url, migrationsDir: dir });
    const name = '29991231000000_breaks_halfway';
    addMigration(dir, name, 'CREATE TABLE half_made (id int);\nSELECT no_such_column FROM half_made;\n');

    await expect(sqlMigrate({ databaseUrl: url, migrationsDir: dir })).rejects.toThrow(
      `the migration ${name} failed at line 2: column "no_such_column" does not exist. It was rolled back`,
    );
    expect(await sql(url, `SELECT to_regclass('half_made') AS t`)).toEqual([{ t: null }]);
    expect((await rowsOf(url)).map((r) => r.migration_name)).toEqual(migrationNames());

    fs.writeFileSync(path.join(dir, name, 'migration.sql'), 'CREATE TABLE half_made (id int);\n');
    expect(await sqlMigrate({ databaseUrl: url, migrationsDir: dir })).toEqual({ applied: [name], unknown: [] });
  });

  it('refuses a failed migration Prisma recorded, and a non-empty schema it did not make', async () => {
    const failed = await freshDatabase('prisma_failed');
    await sqlMigrate({ databaseUrl: failed, migrationsDir: MIGRATIONS });
    await sql(failed, `UPDATE _prisma_migrations SET finished_at = NULL, logs = 'boom' WHERE migration_name = $1`, [migrationNames().at(-1)]);
    await expect(sqlMigrate({ databaseUrl: failed, migrationsDir: MIGRATIONS })).rejects.toThrow(/failed in an earlier run .*migrate resolve/);

    const foreign = await freshDatabase('foreign');
    await sql(foreign, 'CREATE TABLE somebody_elses (id int)');
    await expect(sqlMigrate({ databaseUrl: foreign, migrationsDir: MIGRATIONS })).rejects.toThrow(/schema is not empty \(somebody_elses.*no _prisma_migrations table/);
    expect(await sql(foreign, `SELECT to_regclass('_prisma_migrations') AS t`)).toEqual([{ t: null }]);
  });

  it("lets one of two concurrent runs apply and the other find nothing to do, and waits for Prisma's lock", async () => {
    const url = await freshDatabase('concurrent');
    // Holding Prisma's migration lock ourselves lines both runners up behind it.
    const holder = new Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
      const waiting: string[] = [];
      const runs = [1, 2].map(() => sqlMigrate({ databaseUrl: url, migrationsDir: MIGRATIONS, log: (line) => waiting.push(line) }));
      for (;;) {
        const [{ blocked }] = await sql<{ blocked: number }>(
          SERVER_URL,
          `SELECT count(*)::int AS blocked FROM pg_stat_activity
            WHERE datname = $1 AND application_name = 'tracker-migrate' AND wait_event_type = 'Lock' AND wait_event = 'advisory'`,
          [new URL(url).pathname.slice(1)],
        );
        if (blocked === 2) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(waiting).toEqual([expect.stringContaining('waiting'), expect.stringContaining('waiting')]);
      await holder.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY]);

      const results = await Promise.all(runs);
      expect(results.map((r) => r.applied.length).sort((a, b) => a - b)).toEqual([0, migrationNames().length]);
      expect((await rowsOf(url)).map((r) => r.migration_name)).toEqual(migrationNames());
    } finally {
      await holder.end();
    }
  });
});
