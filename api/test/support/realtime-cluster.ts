// Several API instances on one test database, as behind the load balancer: each a real
// server (startServer) on its own port, with its own pool and its own listening connection.
import pino from 'pino';
import { Client } from 'pg';
import { loadConfig } from '../../src/config';
import { LISTENER_APPLICATION_NAME } from '../../src/modules/realtime/event-listener';
import { startServer } from '../../src/server/start';
import { GraphqlClient } from './graphql-client';
import { createTestDatabase, type TestDatabase } from './test-database';
import { testServerEnv, type TestApi } from './test-server';

export interface Instance extends TestApi {
  /** ws://…/graphql */
  readonly wsUrl: string;
}

export interface Cluster {
  readonly database: TestDatabase;
  readonly instances: readonly Instance[];
  /** Ends every listening connection of this database, as a network cut would. */
  killListeners(): Promise<number>;
  stop(): Promise<void>;
}

export function instanceEnv(database: TestDatabase, env: Record<string, string> = {}): Record<string, string> {
  // Receivers in these tests listen on loopback.
  return testServerEnv(database, { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', ...env });
}

export async function startInstance(database: TestDatabase, env: Record<string, string> = {}): Promise<Instance> {
  const server = await startServer(loadConfig(instanceEnv(database, env)), pino({ level: 'silent' }));
  return {
    server,
    database,
    client: new GraphqlClient(`${server.url}/graphql`),
    wsUrl: `${server.url.replace(/^http/, 'ws')}/graphql`,
    stop: () => server.close(),
  };
}

export async function startCluster(label: string, count = 2, env: Record<string, string> = {}): Promise<Cluster> {
  const database = await createTestDatabase(label);
  const instances: Instance[] = [];
  for (let i = 0; i < count; i++) instances.push(await startInstance(database, env));
  return {
    database,
    instances,
    async killListeners() {
      const admin = new Client({ connectionString: database.ownerUrl });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ killed: boolean }>(
          `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE datname = $1 AND application_name = $2`,
          [database.name, LISTENER_APPLICATION_NAME],
        );
        return rows.filter((row) => row.killed).length;
      } finally {
        await admin.end();
      }
    },
    async stop() {
      await Promise.all(instances.map((instance) => instance.stop()));
      await database.drop();
    },
  };
}
