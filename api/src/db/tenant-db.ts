// The only way request code touches tenant data: every statement runs in a transaction that
// first pins app.org_id and app.user_id with set_config(..., true), so PostgreSQL's
// row-level security sees the tenant and nothing leaks between pooled connections.
// Inside a GraphQL request the transaction is the request's own (RequestTransaction);
// elsewhere (seed, background work) each call gets a transaction of its own.
import type { PrismaClient } from '../generated/prisma/client';
import type { Role } from '../generated/prisma/enums';
import { translateDatabaseError } from './database-errors';
import { RequestTransaction } from './request-transaction';
import { DEFAULT_TRANSACTION_LIMITS, type TransactionLimits } from './transaction-limits';
import type { Tx } from './tx';

export type { TransactionLimits } from './transaction-limits';

/** Pins the scope and returns the caller's role in the organization (null: not a member). */
function pinScope(orgId: string, userId: string): (tx: Tx) => Promise<Role | null> {
  return async (tx) => {
    const [row] = await tx.$queryRaw<{ role: Role | null }[]>`SELECT app_pin_tenant(${orgId}, ${userId}) AS role`;
    return row?.role ?? null;
  };
}

async function ownTransaction<T>(prisma: PrismaClient, pin: (tx: Tx) => Promise<unknown>, fn: (tx: Tx) => Promise<T>, limits: TransactionLimits): Promise<T> {
  try {
    return await prisma.$transaction(
      async (tx) => {
        await pin(tx);
        return fn(tx);
      },
      { maxWait: limits.acquireTimeoutMs, timeout: limits.transactionTimeoutMs },
    );
  } catch (error) {
    throw translateDatabaseError(error);
  }
}

abstract class ScopedDb {
  private readonly pin: (tx: Tx) => Promise<Role | null>;
  private readonly shared: RequestTransaction | undefined;

  protected constructor(
    protected readonly prisma: PrismaClient,
    orgId: string,
    readonly userId: string,
    protected readonly limits: TransactionLimits,
    perRequest: boolean,
  ) {
    this.pin = pinScope(orgId, userId);
    this.shared = perRequest ? new RequestTransaction(prisma, this.pin, limits) : undefined;
  }

  /** A change: all of `fn` commits or none of it does. */
  run<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.shared ? this.shared.use(fn, true) : ownTransaction(this.prisma, this.pin, fn, this.limits);
  }

  /** Reads only (DataLoader batches, lists): no savepoint needed. */
  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.shared ? this.shared.use(fn, false) : ownTransaction(this.prisma, this.pin, fn, this.limits);
  }

  /** The caller's role in the organization, learned while pinning the scope (null: not a member). */
  memberRole(): Promise<Role | null> {
    return this.shared ? this.shared.pinned<Role | null>() : ownTransaction(this.prisma, this.pin, (tx) => this.pin(tx), this.limits);
  }

  /** Ends the request's transaction: commits what succeeded (or rolls back). */
  finish(commit = true): Promise<void> {
    return this.shared ? this.shared.finish(commit) : Promise.resolve();
  }
}

/** Tenant-scoped access for one organization and caller. */
export class TenantDb extends ScopedDb {
  constructor(
    prisma: PrismaClient,
    readonly orgId: string,
    userId: string,
    limits: TransactionLimits = DEFAULT_TRANSACTION_LIMITS,
    options: { readonly perRequest?: boolean } = {},
  ) {
    if (!orgId) throw new Error('TenantDb needs an organization: a query without a tenant is a bug');
    super(prisma, orgId, userId, limits, options.perRequest ?? false);
  }
}

/** Access for a signed-in user outside any one organization (their own memberships). */
export class UserDb extends ScopedDb {
  constructor(prisma: PrismaClient, userId: string, limits: TransactionLimits = DEFAULT_TRANSACTION_LIMITS) {
    super(prisma, '', userId, limits, false);
  }

  /** Becomes an organization's scope, e.g. right after creating it. */
  forOrg(orgId: string): TenantDb {
    return new TenantDb(this.prisma, orgId, this.userId, this.limits);
  }
}
