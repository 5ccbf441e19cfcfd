// A private database per test file, copied from the migrated template and dropped afterwards.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ADMIN_URL, APP_ROLE, TEMPLATE_DB, urlFor } from './test-env';

export interface TestDatabase {
  readonly name: string;
  /** Owner (migration) connection: bypasses nothing, but owns the tables. */
  readonly ownerUrl: string;
  /** The API's connection: the non-owner app role, subject to row-level security. */
  readonly appUrl: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(label = 'db'): Promise<TestDatabase> {
  const name = `tracker_t_${label.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  await admin(async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
        return;
      } catch (error) {
        // Another worker copying the template at the same moment: try again shortly.
        if (attempt > 20 || !/being accessed by other users/.test((error as Error).message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
  });
  return {
    name,
    ownerUrl: urlFor(name),
    appUrl: urlFor(name, APP_ROLE),
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
