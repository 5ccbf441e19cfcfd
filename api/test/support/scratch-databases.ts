// Databases a test makes on a server and drops afterwards (the migration tests build schemas
// from nothing), and one-off SQL on them through a short-lived connection.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The same server URL, naming another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.href;
}

/** Runs one statement on its own connection. */
export async function sql<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export interface ScratchDatabases {
  /** Creates an empty database and returns its URL. */
  fresh(label: string): Promise<string>;
  /** Drops every database `fresh` made (call it in afterAll). */
  dropAll(): Promise<void>;
}

export function scratchDatabases(serverUrl: string, prefix: string): ScratchDatabases {
  const created: string[] = [];
  return {
    async fresh(label) {
      const name = `${prefix}_${label}_${randomBytes(5).toString('hex')}`;
      await sql(serverUrl, `CREATE DATABASE "${name}"`);
      created.push(name);
      return withDatabase(serverUrl, name);
    },
    async dropAll() {
      for (const name of created.splice(0)) await sql(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
