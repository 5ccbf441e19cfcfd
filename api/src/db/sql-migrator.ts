// The production migration runner: applies prisma/migrations/*/migration.sql in name order,
// each in a transaction of its own, and keeps `_prisma_migrations` exactly as Prisma Migrate
// does (same table, same checksum, same row per migration), so `prisma migrate status` and a
// later `prisma migrate deploy` or `migrate dev` agree with what it did. Plain SQL over `pg`:
// no schema engine, no WebAssembly, nothing version-patched in the deploy path.
//
// It is stricter than `prisma migrate deploy` in two ways: an applied migration whose file
// changed since (checksum mismatch) stops the run before anything is applied, and a failed
// migration leaves nothing behind (its changes and its row roll back together), so the next
// run simply tries it again.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

/**
 * The key Prisma's schema engine locks (`SELECT pg_advisory_lock(72707369)`): holding the same
 * one keeps this runner, other copies of it and the Prisma CLI from migrating at once.
 */
export const PRISMA_MIGRATE_LOCK_KEY = 72_707_369;

/** Prisma's own definition of its bookkeeping table on PostgreSQL. */
const BOOKKEEPING_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationFile {
  /** The folder's name, e.g. `20261125153602_init`. */
  readonly name: string;
  readonly sql: string;
  /** sha256 of the file as stored, hex: what Prisma records. */
  readonly checksum: string;
}

export interface SqlMigrateOptions {
  /** Owner-role URL of the database to migrate. */
  readonly databaseUrl: string;
  /** Default: prisma/migrations of this repository or image. */
  readonly migrationsDir: string;
  /** Progress lines (waiting for the lock, each migration applied). */
  readonly log?: (message: string) => void;
}

export interface SqlMigrateResult {
  /** Migrations applied by this run, oldest first; empty when the database was up to date. */
  readonly applied: string[];
  /** Recorded as applied but not in the folder: a database ahead of this code (e.g. a rollback of the image). */
  readonly unknown: string[];
}

/** A migration error whose message says what to do; the runner applied nothing it names. */
export class MigrationError extends Error {
  override name = 'MigrationError';
}

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

/** Prisma accepts a file checked out with CRLF line endings as unchanged; so does this. */
function matchesChecksum(file: MigrationFile, recorded: string): boolean {
  return file.checksum === recorded || checksumOf(file.sql.replace(/\r\n/g, '\n')) === recorded;
}

/** Every sub-folder is a migration, in the order Prisma's CLI lists them. */
export function readMigrationFiles(migrationsDir: string): MigrationFile[] {
  if (!existsSync(migrationsDir)) throw new MigrationError(`no migrations folder at ${migrationsDir}`);
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b))
    .map((name) => {
      const file = path.join(migrationsDir, name, 'migration.sql');
      if (!existsSync(file)) throw new MigrationError(`the migration ${name} has no migration.sql (${file})`);
      const sql = readFileSync(file, 'utf8');
      return { name, sql, checksum: checksumOf(sql) };
    });
}

interface RecordedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** Line of a 1-based character position in the script, for error messages. */
function lineAt(sql: string, position: string | undefined): number | undefined {
  const at = Number(position);
  return Number.isInteger(at) && at > 0 ? sql.slice(0, at - 1).split('\n').length : undefined;
}

async function lockMigrations(client: Client, log: (message: string) => void): Promise<void> {
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [PRISMA_MIGRATE_LOCK_KEY]);
  if (rows[0]!.locked) return;
  log('another migration run holds the migration lock; waiting for it to finish');
  await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
}

/** Refuses what Prisma refuses (a failed migration, a non-empty schema without bookkeeping) and edited migrations. */
async function checkHistory(client: Client, files: MigrationFile[]): Promise<{ pending: MigrationFile[]; unknown: string[] }> {
  const { rows: exists } = await client.query<{ table: string | null }>(`SELECT to_regclass('_prisma_migrations')::text AS table`);
  if (exists[0]!.table === null) {
    const { rows } = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY 1 LIMIT 5`,
    );
    if (rows.length > 0) {
      throw new MigrationError(
        `the schema is not empty (${rows.map((r) => r.name).join(', ')}, ...) but has no _prisma_migrations table: ` +
          'this is not a database these migrations made. Baseline it with `prisma migrate resolve --applied <name>` if it is.',
      );
    }
    await client.query(BOOKKEEPING_TABLE);
    return { pending: files, unknown: [] };
  }
  const { rows } = await client.query<RecordedRow>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations WHERE rolled_back_at IS NULL ORDER BY started_at',
  );
  const failed = rows.filter((r) => r.finished_at === null).map((r) => r.migration_name);
  if (failed.length > 0) {
    throw new MigrationError(
      `the migration ${failed.join(', ')} failed in an earlier run and is recorded as unfinished; nothing was applied. ` +
        'Repair the database, then record what happened with `prisma migrate resolve --rolled-back <name>` (or `--applied <name>`; ' +
        'in a checkout: `npm run db:resolve -- --rolled-back <name>`).',
    );
  }
  const recorded = new Map(rows.map((r) => [r.migration_name, r.checksum]));
  const edited = files.filter((f) => recorded.has(f.name) && !matchesChecksum(f, recorded.get(f.name)!));
  if (edited.length > 0) {
    throw new MigrationError(
      `checksum mismatch: ${edited.map((f) => `${f.name}/migration.sql`).join(', ')} changed after ${edited.length === 1 ? 'it was' : 'they were'} applied ` +
        `(recorded ${edited.map((f) => recorded.get(f.name)).join(', ')}, file now ${edited.map((f) => f.checksum).join(', ')}); nothing was applied. ` +
        'Restore the applied file and put the change in a new migration.',
    );
  }
  const known = new Set(files.map((f) => f.name));
  return { pending: files.filter((f) => !recorded.has(f.name)), unknown: [...recorded.keys()].filter((name) => !known.has(name)) };
}

/**
 * One migration and its row commit together or not at all. The row is written as Prisma
 * writes it (inserted when the migration starts, then one step counted and finished_at set).
 */
async function applyOne(client: Client, file: MigrationFile): Promise<void> {
  const id = randomUUID();
  await client.query('BEGIN');
  try {
    await client.query('INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, clock_timestamp())', [id, file.checksum, file.name]);
    try {
      // No parameters: the simple query protocol, which runs a multi-statement script.
      await client.query(file.sql);
    } catch (error) {
      const e = error as Error & { position?: string };
      const line = lineAt(file.sql, e.position);
      throw new MigrationError(`the migration ${file.name} failed${line ? ` at line ${line}` : ''}: ${e.message}. It was rolled back; nothing of it was applied or recorded.`, { cause: error });
    }
    await client.query('UPDATE _prisma_migrations SET applied_steps_count = applied_steps_count + 1, finished_at = clock_timestamp() WHERE id = $1', [id]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

export async function sqlMigrate(options: SqlMigrateOptions): Promise<SqlMigrateResult> {
  const log = options.log ?? (() => undefined);
  const files = readMigrationFiles(options.migrationsDir);
  const client = new Client({ connectionString: options.databaseUrl, application_name: 'tracker-migrate' });
  await client.connect();
  try {
    await lockMigrations(client, log);
    const { pending, unknown } = await checkHistory(client, files);
    const applied: string[] = [];
    for (const file of pending) {
      await applyOne(client, file);
      applied.push(file.name);
      log(`applied ${file.name}`);
    }
    return { applied, unknown };
  } finally {
    // Ending the session releases the lock too; unlocking first keeps a pooled server tidy.
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
