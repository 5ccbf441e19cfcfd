// A real API instance on a real port, backed by a private test database.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { startServer, type RunningServer } from '../../src/server/start';
import { createTestDatabase, type TestDatabase } from './test-database';
import { TEST_JWT_SECRET } from './test-env';
import { GraphqlClient } from './graphql-client';

export interface TestApi {
  readonly server: RunningServer;
  readonly database: TestDatabase;
  readonly client: GraphqlClient;
  stop(): Promise<void>;
}

/** The environment of a test instance on `database`; `env` adds or overrides. */
export function testServerEnv(database: TestDatabase, env: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database.appUrl,
    MIGRATION_DATABASE_URL: database.ownerUrl,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    // The filesystem object store: keys are unique per tenant, so test servers can share it.
    ATTACHMENTS_DIR: join(tmpdir(), 'tracker-test-attachments'),
    // Production's 5 s wait for a pooled connection is an overload answer (503); on a loaded
    // test machine, 20 requests queued on a pool of 2 can wait longer than that without
    // anything being wrong. Tests of the wait itself set their own.
    DB_ACQUIRE_TIMEOUT_MS: '60000',
    ...env,
  };
}

export async function startTestApi(label: string, env: Record<string, string> = {}): Promise<TestApi> {
  const database = await createTestDatabase(label);
  const config = loadConfig(testServerEnv(database, env));
  const server = await startServer(config, pino({ level: 'silent' }));
  return {
    server,
    database,
    client: new GraphqlClient(`${server.url}/graphql`),
    async stop() {
      await server.close();
      await database.drop();
    },
  };
}
