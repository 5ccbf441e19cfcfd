// What the API ever shows of a user. Every read of users for display selects these columns
// and no others, so a password hash never sits in a request's memory or a resolver's reach.
import type { User } from '../generated/prisma/client';

export const PUBLIC_USER_COLUMNS = { id: true, email: true, name: true, createdAt: true } as const;

export type PublicUser = Pick<User, keyof typeof PUBLIC_USER_COLUMNS>;
