// A project's custom fields and an issue's values, batched per request.
import type { CustomField, CustomFieldValue } from '../../generated/prisma/client';
import type { TenantDb } from '../../tenancy/tenant-db';
import { groupLoader } from '../../graphql/batch-loader';

export const customFieldLoaders = (db: TenantDb) => ({
  customFieldsByProject: groupLoader<string, CustomField>(
    db,
    (tx, keys) => tx.customField.findMany({ where: { projectId: { in: [...keys] } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
    (f) => f.projectId,
  ),
  customValuesByIssue: groupLoader<string, CustomFieldValue>(db, (tx, keys) => tx.customFieldValue.findMany({ where: { issueId: { in: [...keys] } } }), (v) => v.issueId),
});
