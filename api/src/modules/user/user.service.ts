// Reading users. Users are global (not tenant rows), so services that expose one check that
// the caller may see it: themselves, or a member of the current organization.
import type { PrismaClient, User } from '../../generated/prisma/client';
import { AppError } from '../../errors/app-error';
import { translateDatabaseError } from '../../db/database-errors';

export async function findViewer(prisma: PrismaClient, userId: string): Promise<User> {
  const user = await prisma.user.findUnique({ where: { id: userId } }).catch((e: unknown) => Promise.reject(translateDatabaseError(e)));
  // A valid token for a user that no longer exists is as good as no token.
  if (!user) throw new AppError('UNAUTHENTICATED', 'The account behind this token no longer exists');
  return user;
}
