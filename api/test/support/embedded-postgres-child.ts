// Serves the embedded PostgreSQL (the one `npm start` runs) from a process of its own, for the
// test suite when no PostgreSQL answers at TEST_DATABASE_URL. Prints {"ownerUrl"} once ready.
// It stops the server and deletes its data directory when stdin closes (jest ended, or died)
// or on SIGINT/SIGTERM (a Ctrl-C reaches the whole process group).
import { rmSync } from 'node:fs';
import pino from 'pino';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';

async function main(dataDir: string): Promise<void> {
  const embedded = await startEmbeddedPostgres({ dataDir, logger: pino({ level: 'silent' }) });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    embedded.close().then(
      () => {
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.stdin.on('end', stop).resume();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stdout.write(`${JSON.stringify({ ownerUrl: embedded.ownerUrl })}\n`);
}

main(process.argv[2]!).catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
