// DataLoader factories over a tenant-scoped handle: one SQL statement per batch, results
// returned in key order, so relation fields never cause N+1 queries.
import DataLoader from 'dataloader';
import type { TenantDb } from '../tenancy/tenant-db';
import type { Tx } from '../db/tx';
import type { FirstPageSource } from './pagination';

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

export interface PageKey {
  readonly parentId: string;
  /** Rows wanted: the page size plus one, which tells whether there is a next page. */
  readonly take: number;
}

/**
 * The first rows of a one-to-many relation for many parents at once: a connection field
 * (comments, history) asked on every item of a list costs one statement per distinct page
 * size, not one per item. `fetch` returns up to `take` rows per parent, in page order.
 */
export function firstPageLoader<R>(db: TenantDb, fetch: (tx: Tx, parentIds: readonly string[], take: number) => Promise<R[]>, parentOf: (row: R) => string): DataLoader<PageKey, R[], string> {
  return new DataLoader<PageKey, R[], string>(
    async (keys) => {
      const pages = new Map<string, R[]>(keys.map((key) => [`${key.parentId}:${key.take}`, []]));
      for (const take of new Set(keys.map((key) => key.take))) {
        const parentIds = keys.filter((key) => key.take === take).map((key) => key.parentId);
        const rows = await db.read((tx) => fetch(tx, parentIds, take));
        for (const row of rows) pages.get(`${parentOf(row)}:${take}`)?.push(row);
      }
      return keys.map((key) => pages.get(`${key.parentId}:${key.take}`) ?? []);
    },
    { cacheKeyFn: (key) => `${key.parentId}:${key.take}` },
  );
}

/** How many rows each parent has, in one grouped count. */
export function countLoader(db: TenantDb, fetch: (tx: Tx, parentIds: readonly string[]) => Promise<{ parentId: string; count: number }[]>): DataLoader<string, number> {
  return new DataLoader<string, number>(async (keys) => {
    const rows = await db.read((tx) => fetch(tx, keys));
    const counts = new Map(rows.map((row) => [row.parentId, row.count]));
    return keys.map((key) => counts.get(key) ?? 0);
  });
}

/** The two loaders of one paged relation, as the services take them. */
export function firstPageSource<R>(pages: DataLoader<PageKey, R[], string>, counts: DataLoader<string, number>): FirstPageSource<R> {
  return { firstPage: (parentId, take) => pages.load({ parentId, take }), count: (parentId) => counts.load(parentId) };
}
