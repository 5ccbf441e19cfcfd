// Users as the API shows them, batched per request.
import type { User } from '../../generated/prisma/client';
import type { TenantDb } from '../../db/tenant-db';
import { rowLoader } from '../../graphql/batch-loader';

/** What the API ever shows of a user. */
export type PublicUser = Pick<User, 'id' | 'email' | 'name' | 'createdAt'>;

/** Public columns only: a password hash has no business in a request's memory. */
const PUBLIC_COLUMNS = { id: true, email: true, name: true, createdAt: true } as const;

export const userLoaders = (db: TenantDb) => ({
  user: rowLoader<string, PublicUser>(db, (tx, keys) => tx.user.findMany({ where: { id: { in: [...keys] } }, select: PUBLIC_COLUMNS }), (u) => u.id),
  /** Users who are members of this organization (mentions name only members); others read as none. */
  member: rowLoader<string, PublicUser>(
    db,
    async (tx, keys) => {
      const rows = await tx.membership.findMany({ where: { orgId: db.orgId, userId: { in: [...keys] } }, select: { user: { select: PUBLIC_COLUMNS } } });
      return rows.map((row) => row.user);
    },
    (u) => u.id,
  ),
});
