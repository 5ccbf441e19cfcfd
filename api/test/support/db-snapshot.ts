// A fingerprint of every table's contents, read as the owner (no row-level security), so a
// test can prove that a refused request wrote nothing: not an insert, update or delete.
import { Client } from 'pg';

export type Snapshot = Readonly<Record<string, string>>;

export async function withOwner<T>(ownerUrl: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Row count and an md5 over all rows of each public table (except Prisma's bookkeeping). */
export async function snapshotTables(ownerUrl: string): Promise<Snapshot> {
  return withOwner(ownerUrl, async (client) => {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations' ORDER BY 1`,
    );
    const snapshot: Record<string, string> = {};
    for (const { name } of tables) {
      const { rows } = await client.query<{ count: number; digest: string }>(
        `SELECT count(*)::int AS count, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM "${name}" t`,
      );
      snapshot[name] = `${rows[0]!.count} rows, ${rows[0]!.digest}`;
    }
    return snapshot;
  });
}
