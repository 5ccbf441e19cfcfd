// The scoped handles: every statement runs in a transaction that first pins app.org_id and
// app.user_id with set_config(..., true), so PostgreSQL's row-level security sees the tenant and
// nothing leaks between pooled connections. Inside a GraphQL request the transaction is the
// request's own (RequestTransaction), shared by the user's scope and the tenant's; elsewhere
// (sockets, background work, the seed) each call gets a transaction of its own.
// Built only by the factories in tenancy.ts (requestScope, userScope, systemScope).
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import type { Role } from '../generated/prisma/enums';
import { translateDatabaseError } from '../errors/database-errors';
import { RequestTransaction } from './request-transaction';
import { DEFAULT_TRANSACTION_LIMITS, type TransactionLimits } from '../db/transaction-limits';
import type { Tx } from '../db/tx';

export type { TransactionLimits } from '../db/transaction-limits';

/** Pins the scope; the pin raises (FORBIDDEN) for a caller who is not a member of the organization. */
function pinScope(orgId: string, userId: string): (tx: Tx) => Promise<Role | null> {
  return async (tx) => {
    const [row] = await tx.$queryRaw<{ role: Role | null }[]>`SELECT app_pin_tenant(${orgId}, ${userId}) AS role`;
    return row?.role ?? null;
  };
}

/**
 * Pins an organization the caller is not (yet) a member of: the one being created, or the one
 * an invitation lets them join. Nothing to check; the caller of the factory holds the right.
 */
function pinWithoutMembership(orgId: string, userId: string): (tx: Tx) => Promise<null> {
  return async (tx) => {
    await tx.$executeRaw`SELECT set_config('app.org_id', ${orgId}, true), set_config('app.user_id', ${userId}, true)`;
    return null;
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

export interface ScopeOptions {
  /** The request's transaction: every statement runs in it instead of one of its own. */
  readonly request?: RequestTransaction;
  /** The caller is not a member yet (the organization is being created or joined): pin without a check. */
  readonly withoutMembershipCheck?: boolean;
}

abstract class ScopedDb {
  protected readonly pin: (tx: Tx) => Promise<Role | null>;
  protected readonly request: RequestTransaction | undefined;
  protected readonly options: ScopeOptions;

  protected constructor(
    protected readonly prisma: PrismaClient,
    private readonly scopeOrgId: string,
    readonly userId: string,
    protected readonly limits: TransactionLimits,
    options: ScopeOptions,
  ) {
    this.pin = options.withoutMembershipCheck ? pinWithoutMembership(scopeOrgId, userId) : pinScope(scopeOrgId, userId);
    this.request = options.request;
    this.options = options;
  }

  /** A change: all of `fn` commits or none of it does. */
  run<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.execute(fn, true);
  }

  /** Reads only (DataLoader batches, lists): no savepoint needed. */
  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.execute(fn, false);
  }

  /** The rows of one read statement: read() for a single raw SELECT, the hot paths' way in. */
  rows<T>(sql: Prisma.Sql): Promise<T[]> {
    if (!this.request) return this.read((tx) => tx.$queryRaw<T[]>(sql));
    return this.request.rowsIn<T>(this.scopeOrgId, sql);
  }

  private execute<T>(fn: (tx: Tx) => Promise<T>, isWrite: boolean): Promise<T> {
    if (!this.request) return ownTransaction(this.prisma, this.pin, fn, this.limits);
    // The user's own scope runs under whatever tenant the request pinned: its queries name
    // the user, and the policies show a user their own memberships in every organization.
    if (this.scopeOrgId === '') return this.request.use(fn, isWrite);
    return this.request.useIn(this.scopeOrgId, fn, isWrite);
  }
}

/** Tenant-scoped access for one organization and caller. */
export class TenantDb extends ScopedDb {
  constructor(
    prisma: PrismaClient,
    readonly orgId: string,
    userId: string,
    limits: TransactionLimits = DEFAULT_TRANSACTION_LIMITS,
    options: ScopeOptions = {},
  ) {
    if (!orgId) throw new Error('TenantDb needs an organization: a query without a tenant is a bug');
    super(prisma, orgId, userId, limits, options);
  }

  /**
   * The caller's role here as of now, read by the pin in a short transaction of its own (for
   * sockets, which outlive requests). The pin raises FORBIDDEN for a non-member; it answers no
   * role only when there is no member to check (a system scope), which is a bug to ask about.
   */
  async memberRole(): Promise<Role> {
    const role = await ownTransaction(this.prisma, async () => undefined, this.pin, this.limits);
    if (role === null) throw new Error('memberRole() on a scope without a member: only a member scope has a role');
    return role;
  }

  /** The same tenant and caller on transactions of their own: for work that outlives the request (a subscription). */
  detached(): TenantDb {
    return new TenantDb(this.prisma, this.orgId, this.userId, this.limits, { ...this.options, request: undefined });
  }
}

/** Access for a signed-in user outside any one organization (their own memberships). */
export class UserDb extends ScopedDb {
  constructor(prisma: PrismaClient, userId: string, limits: TransactionLimits = DEFAULT_TRANSACTION_LIMITS, options: Pick<ScopeOptions, 'request'> = {}) {
    super(prisma, '', userId, limits, options);
  }

  /** One of the user's organizations (e.g. to list its members). */
  forOrg(orgId: string): TenantDb {
    return new TenantDb(this.prisma, orgId, this.userId, this.limits, { request: this.request });
  }

  /**
   * An organization the user is not a member of yet: the one they are creating, or the one an
   * invitation lets them join. The pin checks no membership, so the caller must hold the right
   * itself (creating it; the invitation's secret).
   */
  forOrgWithoutMembership(orgId: string): TenantDb {
    return new TenantDb(this.prisma, orgId, this.userId, this.limits, { request: this.request, withoutMembershipCheck: true });
  }
}
