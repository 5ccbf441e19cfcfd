// First pages of each issue's comments (for lists of issues), batched per request.
import type { TenantDb } from '../../tenancy/tenant-db';
import { countLoader, firstPageLoader, firstPageSource } from '../../graphql/batch-loader';
import { commentCountsOf, firstCommentsOf } from './comment.service';

export const commentLoaders = (db: TenantDb) => ({
  comments: firstPageSource(firstPageLoader(db, firstCommentsOf, (c) => c.issueId), countLoader(db, commentCountsOf)),
});
