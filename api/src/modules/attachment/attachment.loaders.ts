// An issue's completed attachments, batched per request.
import type { TenantDb } from '../../tenancy/tenant-db';
import { groupLoader } from '../../graphql/batch-loader';
import { completedAttachmentsOf } from './attachment.service';

export const attachmentLoaders = (db: TenantDb) => ({
  attachmentsByIssue: groupLoader(db, completedAttachmentsOf, (a) => a.issueId),
});
