// `npm run db:seed` (and `prisma db seed`): the demo workspace that `npm start` seeds into its
// embedded database, written into the PostgreSQL server that DATABASE_URL names (as the app
// role, so row-level security applies exactly as for the API). Does nothing if it is there.
import { loadConfig } from '../api/src/config';
import { createAppServices } from '../api/src/app-services';
import { openDatabase } from '../api/src/db/prisma-client';
import { createLogger } from '../api/src/observability/logger';
import { seedDemoIfEmpty } from './demo-seed';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl) {
    throw new Error('DATABASE_URL is not set: the embedded database is seeded by `npm start` itself');
  }
  const logger = createLogger(config);
  const database = openDatabase({ url: config.databaseUrl, poolMax: 2, acquireTimeoutMs: config.dbAcquireTimeoutMs, statementTimeoutMs: config.dbStatementTimeoutMs });
  try {
    const demo = await seedDemoIfEmpty(createAppServices(config, database, logger), database, logger);
    process.stdout.write(
      `Demo login: ${demo.email} / ${demo.password}\nAuthorization: Bearer ${demo.accessToken}\nx-org-id: ${demo.orgId}\n` +
        `The token is valid for 24 hours (until ${demo.accessTokenExpiresAt.toISOString()}), for servers that share this JWT_SECRET.\n`,
    );
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`Seeding failed: ${(error as Error).message}\n`);
  process.exit(1);
});
