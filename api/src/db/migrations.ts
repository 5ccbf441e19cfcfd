// Applies pending Prisma migrations in-process through the WASM schema engine (the same
// engine `prisma migrate deploy` uses), for the embedded database and test databases.
import path from 'node:path';
import { PROJECT_ROOT } from '../project-root';

interface JobQueue {
  installJobQueue(connectionString: string): Promise<void>;
}

interface MigrateDeploy {
  migrateDeploy(options: { datasourceUrl: string; schemaPath: string; migrationsDir: string }): Promise<{ appliedMigrationNames: string[] }>;
}

export async function applyMigrations(datasourceUrl: string): Promise<string[]> {
  // Plain CommonJS next to the schema, so the production image runs it without a build step.
  const engine = require(path.join(PROJECT_ROOT, 'prisma/engine/migrate-deploy.cjs')) as MigrateDeploy;
  const result = await engine.migrateDeploy({
    datasourceUrl,
    schemaPath: path.join(PROJECT_ROOT, 'prisma/schema.prisma'),
    migrationsDir: path.join(PROJECT_ROOT, 'prisma/migrations'),
  });
  // graphile-worker's own schema, installed by graphile-worker itself, as `npm run db:migrate` does.
  const jobQueue = require(path.join(PROJECT_ROOT, 'prisma/engine/job-queue.cjs')) as JobQueue;
  await jobQueue.installJobQueue(datasourceUrl);
  return result.appliedMigrationNames;
}
