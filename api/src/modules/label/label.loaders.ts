// Labels by project and by issue, batched per request.
import type { Label } from '../../generated/prisma/client';
import type { TenantDb } from '../../tenancy/tenant-db';
import { groupLoader } from '../../graphql/batch-loader';

export const labelLoaders = (db: TenantDb) => ({
  labelsByProject: groupLoader<string, Label>(
    db,
    (tx, keys) => tx.label.findMany({ where: { projectId: { in: [...keys] } }, orderBy: { name: 'asc' } }),
    (l) => l.projectId,
  ),
  labelsByIssue: groupLoader<string, Label & { issueId: string }>(
    db,
    async (tx, keys) => {
      const rows = await tx.issueLabel.findMany({ where: { issueId: { in: [...keys] } }, include: { label: true }, orderBy: { label: { name: 'asc' } } });
      return rows.map((row) => ({ ...row.label, issueId: row.issueId }));
    },
    (l) => l.issueId,
  ),
});
