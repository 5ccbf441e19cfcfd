// Projects by id, batched per request.
import type { Project } from '../../generated/prisma/client';
import type { TenantDb } from '../../tenancy/tenant-db';
import { rowLoader } from '../../graphql/batch-loader';

export const projectLoaders = (db: TenantDb) => ({
  project: rowLoader<string, Project>(db, (tx, keys) => tx.project.findMany({ where: { id: { in: [...keys] } } }), (p) => p.id),
});
