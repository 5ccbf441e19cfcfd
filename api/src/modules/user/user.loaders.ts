// Users as the API shows them, batched per request.
import { PUBLIC_USER_COLUMNS, type PublicUser } from '../../auth/public-user';
import type { TenantDb } from '../../tenancy/tenant-db';
import { rowLoader } from '../../graphql/batch-loader';

export type { PublicUser };

export const userLoaders = (db: TenantDb) => ({
  user: rowLoader<string, PublicUser>(db, (tx, keys) => tx.user.findMany({ where: { id: { in: [...keys] } }, select: PUBLIC_USER_COLUMNS }), (u) => u.id),
  /** Users who are members of this organization (mentions name only members); others read as none. */
  member: rowLoader<string, PublicUser>(
    db,
    async (tx, keys) => {
      const rows = await tx.membership.findMany({ where: { orgId: db.orgId, userId: { in: [...keys] } }, select: { user: { select: PUBLIC_USER_COLUMNS } } });
      return rows.map((row) => row.user);
    },
    (u) => u.id,
  ),
});
