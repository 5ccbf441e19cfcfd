// Sprints by id and by project, batched per request.
import type { Sprint } from '../../generated/prisma/client';
import type { TenantDb } from '../../tenancy/tenant-db';
import { groupLoader, rowLoader } from '../../graphql/batch-loader';

export const sprintLoaders = (db: TenantDb) => ({
  sprint: rowLoader<string, Sprint>(db, (tx, keys) => tx.sprint.findMany({ where: { id: { in: [...keys] } } }), (s) => s.id),
  sprintsByProject: groupLoader<string, Sprint>(
    db,
    (tx, keys) => tx.sprint.findMany({ where: { projectId: { in: [...keys] } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
    (s) => s.projectId,
  ),
});
