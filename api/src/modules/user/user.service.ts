// Reading users. Users are global (not tenant rows), so services that expose one check that
// the caller may see it: themselves, or a member of the current organization.
import { PUBLIC_USER_COLUMNS, type PublicUser } from '../../auth/public-user';
import { AppError } from '../../errors/app-error';
import type { UserDb } from '../../tenancy/tenant-db';

/** In the request's own transaction (UserDb), like every other read of the request. */
export async function findViewer(viewer: UserDb): Promise<PublicUser> {
  const user = await viewer.read((tx) => tx.user.findUnique({ where: { id: viewer.userId }, select: PUBLIC_USER_COLUMNS }));
  // A valid token for a user that no longer exists is as good as no token.
  if (!user) throw new AppError('UNAUTHENTICATED', 'The account behind this token no longer exists');
  return user;
}
