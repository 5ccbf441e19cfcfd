// Brings a database to the current schema as its owner: our migrations (prisma/migrations, by
// the plain SQL runner), then graphile-worker's own schema. The one path for the deploy's
// `npm run db:migrate`, the embedded database of `npm start`, and the test templates. It sits
// above db/ and jobs/ because it composes both (db/ may not import jobs/).
import path from 'node:path';
import { installJobQueue } from '../jobs/job-queue-install';
import { PROJECT_ROOT } from '../project-root';
import { sqlMigrate } from '../db/sql-migrator';

export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'prisma/migrations');

/** Returns the names of the migrations it applied, oldest first. */
export async function applyMigrations(datasourceUrl: string, log?: (message: string) => void): Promise<string[]> {
  const { applied } = await sqlMigrate({ databaseUrl: datasourceUrl, migrationsDir: MIGRATIONS_DIR, log });
  await installJobQueue(datasourceUrl);
  return applied;
}
