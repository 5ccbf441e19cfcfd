// `npm run db:migrate` (scripts/db-migrate.cjs runs this file, or its compiled copy in the
// image): the deploy's one-off migration step, as the owner role (MIGRATION_DATABASE_URL).
import { MIGRATIONS_DIR } from './apply-migrations';
import { installJobQueue } from '../jobs/job-queue-install';
import { sqlMigrate } from '../db/sql-migrator';

async function main(): Promise<void> {
  const url = process.env.MIGRATION_DATABASE_URL || process.env.DATABASE_URL;
  if (!url) throw new Error('db:migrate needs MIGRATION_DATABASE_URL (the owner role) or DATABASE_URL');
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const { applied, unknown } = await sqlMigrate({ databaseUrl: url, migrationsDir: MIGRATIONS_DIR, log: say });
  if (unknown.length > 0) say(`The database has migrations this release does not know (it is ahead of it): ${unknown.join(', ')}`);
  say(applied.length > 0 ? `All ${applied.length} pending migration(s) have been applied.` : 'No pending migrations to apply.');
  await installJobQueue(url);
  say('Job queue schema (graphile-worker) is current.');
}

main().catch((error: unknown) => {
  process.stderr.write(`db:migrate failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
