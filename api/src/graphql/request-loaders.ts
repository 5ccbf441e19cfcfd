// The request's DataLoaders. Each module defines its own (its `*.loaders.ts`); a request makes
// a module's set the first time one of its fields asks and keeps it for the request's tenant,
// so batching and caching span the request while nothing here knows which modules exist.
import type { TenantDb } from '../tenancy/tenant-db';

/** One module's loaders over a tenant-scoped handle. */
export type LoaderSet<L> = (db: TenantDb) => L;

/** The tenant's loaders of one module: `tenant.loaders(issueLoaders).issue.load(id)`. */
export type Loaders = <L>(set: LoaderSet<L>) => L;

/** Fresh loaders for one tenant scope (a request, or one batch of realtime events). */
export function createLoaders(db: TenantDb): Loaders {
  const made = new Map<LoaderSet<unknown>, unknown>();
  return <L>(set: LoaderSet<L>): L => {
    if (!made.has(set)) made.set(set, set(db));
    return made.get(set) as L;
  };
}
