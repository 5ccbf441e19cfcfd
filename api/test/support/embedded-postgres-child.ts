// Serves the embedded database the way `npm start` opens it (PGlite under a data directory,
// migrated), from a process of its own: Jest's VM sandbox cannot start PGlite. Prints
// {"url"} once ready; closing stdin shuts it down.
import readline from 'node:readline';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';
import { applyMigrations } from '../../src/db/migrations';

async function main(dataDir: string): Promise<void> {
  const embedded = await startEmbeddedPostgres(dataDir);
  await applyMigrations(embedded.url);
  process.stdout.write(`${JSON.stringify({ url: embedded.url })}\n`);
  readline.createInterface({ input: process.stdin }).on('close', () => {
    embedded.close().then(() => process.exit(0), () => process.exit(1));
  });
}

main(process.argv[2]!).catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
