// First pages of each issue's history (for lists of issues), batched per request.
import type { TenantDb } from '../../tenancy/tenant-db';
import { countLoader, firstPageLoader, firstPageSource } from '../../graphql/batch-loader';
import { eventCountsOf, newestEventsOf } from './history.service';

export const historyLoaders = (db: TenantDb) => ({
  history: firstPageSource(firstPageLoader(db, newestEventsOf, (e) => e.issueId), countLoader(db, eventCountsOf)),
});
