// The transaction handle services receive; always tenant-scoped by TenantDb/UserDb.
import type { Prisma } from '../generated/prisma/client';

export type Tx = Prisma.TransactionClient;
