// Applies pending Prisma migrations in-process through the WASM schema engine (the same
// engine `prisma migrate deploy` uses), for the embedded database and test databases.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { PROJECT_ROOT } from '../project-root';

interface JobQueue {
  installJobQueue(connectionString: string): Promise<void>;
}

interface MigrateDeploy {
  migrateDeploy(options: { datasourceUrl: string; schemaPath: string; migrationsDir: string }): Promise<{ appliedMigrationNames: string[] }>;
}

/**
 * Every migration directory recorded as finished (and none failed): the engine would apply
 * nothing, so a restart need not load it (about half a second of CPU compiling WebAssembly).
 */
async function nothingPending(datasourceUrl: string, migrationsDir: string): Promise<boolean> {
  const names = readdirSync(migrationsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  const client = new Client({ connectionString: datasourceUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; done: boolean }>(
      `SELECT migration_name AS name, finished_at IS NOT NULL AND rolled_back_at IS NULL AS done
         FROM _prisma_migrations WHERE rolled_back_at IS NULL`,
    );
    const done = new Set(rows.filter((r) => r.done).map((r) => r.name));
    return rows.every((r) => r.done) && names.every((name) => done.has(name));
  } catch {
    return false; // no bookkeeping table yet: a fresh database
  } finally {
    await client.end();
  }
}

export async function applyMigrations(datasourceUrl: string): Promise<string[]> {
  const migrationsDir = path.join(PROJECT_ROOT, 'prisma/migrations');
  const result = (await nothingPending(datasourceUrl, migrationsDir))
    ? { appliedMigrationNames: [] }
    : // Plain CommonJS next to the schema, so the production image runs it without a build step.
      await (require(path.join(PROJECT_ROOT, 'prisma/engine/migrate-deploy.cjs')) as MigrateDeploy).migrateDeploy({
        datasourceUrl,
        schemaPath: path.join(PROJECT_ROOT, 'prisma/schema.prisma'),
        migrationsDir,
      });
  // graphile-worker's own schema, installed by graphile-worker itself, as `npm run db:migrate` does.
  const jobQueue = require(path.join(PROJECT_ROOT, 'prisma/engine/job-queue.cjs')) as JobQueue;
  await jobQueue.installJobQueue(datasourceUrl);
  return result.appliedMigrationNames;
}
