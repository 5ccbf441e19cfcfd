// The only way request code touches tenant data: every call runs in a transaction that
// first pins app.org_id and app.user_id with set_config(..., true), so PostgreSQL's
// row-level security sees the tenant and nothing leaks between pooled connections.
import type { PrismaClient } from '../generated/prisma/client';
import { translateDatabaseError } from './database-errors';
import type { Tx } from './tx';

export interface TransactionLimits {
  /** Wait for a pooled connection at most this long. */
  readonly acquireTimeoutMs: number;
  /** Abort an interactive transaction that runs longer. */
  readonly transactionTimeoutMs: number;
}

const DEFAULT_LIMITS: TransactionLimits = { acquireTimeoutMs: 5_000, transactionTimeoutMs: 15_000 };

async function scoped<T>(
  prisma: PrismaClient,
  orgId: string,
  userId: string,
  fn: (tx: Tx) => Promise<T>,
  limits: TransactionLimits,
): Promise<T> {
  try {
    return await prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT set_config('app.org_id', ${orgId}, true), set_config('app.user_id', ${userId}, true)`;
        return fn(tx);
      },
      { maxWait: limits.acquireTimeoutMs, timeout: limits.transactionTimeoutMs },
    );
  } catch (error) {
    throw translateDatabaseError(error);
  }
}

/** Tenant-scoped access for one organization and caller. */
export class TenantDb {
  constructor(
    private readonly prisma: PrismaClient,
    readonly orgId: string,
    readonly userId: string,
    private readonly limits: TransactionLimits = DEFAULT_LIMITS,
  ) {
    if (!orgId) throw new Error('TenantDb needs an organization: a query without a tenant is a bug');
  }

  run<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return scoped(this.prisma, this.orgId, this.userId, fn, this.limits);
  }
}

/** Access for a signed-in user outside any one organization (their own memberships). */
export class UserDb {
  constructor(
    private readonly prisma: PrismaClient,
    readonly userId: string,
    private readonly limits: TransactionLimits = DEFAULT_LIMITS,
  ) {}

  run<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return scoped(this.prisma, '', this.userId, fn, this.limits);
  }

  /** Becomes an organization's scope, e.g. right after creating it. */
  forOrg(orgId: string): TenantDb {
    return new TenantDb(this.prisma, orgId, this.userId, this.limits);
  }
}
