// The embedded database for `npm start` with no DATABASE_URL: PGlite (PostgreSQL compiled to
// WebAssembly) kept under the data directory and served on a loopback port, so the app
// talks to it with the same driver, SQL and migrations as to a real server.
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export interface EmbeddedPostgres {
  /** Superuser URL: migrations and seeding use it; the app additionally SETs ROLE. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const directory = path.resolve(dataDir, 'pgdata');
  mkdirSync(directory, { recursive: true });
  const db = await PGlite.create(directory);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  const address = server.getServerConn();
  return {
    url: `postgresql://postgres@${address}/postgres?sslmode=disable`,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
