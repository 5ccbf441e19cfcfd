// DataLoader factories over a tenant-scoped handle: one SQL statement per batch, results
// returned in key order, so relation fields never cause N+1 queries.
import DataLoader from 'dataloader';
import type { TenantDb } from '../db/tenant-db';
import type { Tx } from '../db/tx';

/** One row (or null) per key, matched by `keyOf`. */
export function rowLoader<K, R>(db: TenantDb, fetch: (tx: Tx, keys: readonly K[]) => Promise<R[]>, keyOf: (row: R) => K): DataLoader<K, R | null> {
  return new DataLoader<K, R | null>(async (keys) => {
    const rows = await db.read((tx) => fetch(tx, keys));
    const byKey = new Map(rows.map((row) => [keyOf(row), row]));
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

/** Many rows per key (a one-to-many relation), grouped by `keyOf`. */
export function groupLoader<K, R>(db: TenantDb, fetch: (tx: Tx, keys: readonly K[]) => Promise<R[]>, keyOf: (row: R) => K): DataLoader<K, R[]> {
  return new DataLoader<K, R[]>(async (keys) => {
    const rows = await db.read((tx) => fetch(tx, keys));
    const groups = new Map<K, R[]>(keys.map((key) => [key, []]));
    for (const row of rows) groups.get(keyOf(row))?.push(row);
    return keys.map((key) => groups.get(key) ?? []);
  });
}
