// The factories of every scope, and the one holder of the unscoped client: resolvers, modules
// and workers get a Tenancy, never the PrismaClient, so each tenant read or write goes through
// a pin. Three ways in, each named for who is asking:
//   requestScope  a member of the organization (GraphQL requests, sockets): the pin checks it
//   userScope     the signed-in user's own rows, outside any one organization
//   systemScope   background work and housekeeping for one organization: no user, no check
import type { Pool } from 'pg';
import type { PrismaClient } from '../generated/prisma/client';
import { DEFAULT_TRANSACTION_LIMITS, type TransactionLimits } from '../db/transaction-limits';
import { RequestTransaction, type RequestCaller } from './request-transaction';
import type { TenantScope } from './scope';
import { TenantDb, UserDb } from './tenant-db';

/** A member acting outside a GraphQL request (a socket): each use pins and checks anew. */
export interface MemberCaller {
  readonly orgId: string;
  readonly userId: string;
}

export class Tenancy {
  readonly #prisma: PrismaClient;
  readonly #limits: TransactionLimits;
  readonly #pool: Pool | undefined;

  /** `pool`: the pool under `prisma`, for queries' transactions opened on a connection directly. */
  constructor(prisma: PrismaClient, limits: TransactionLimits = DEFAULT_TRANSACTION_LIMITS, pool?: Pool) {
    this.#prisma = prisma;
    this.#limits = limits;
    this.#pool = pool;
  }

  /** The one transaction of a GraphQL request, opened on first use and pinned to its caller and tenant. */
  requestTransaction(caller: RequestCaller): RequestTransaction {
    return new RequestTransaction(this.#prisma, caller, this.#limits, this.#pool);
  }

  /**
   * A member's scope, checked by the pin (FORBIDDEN for a non-member). On a request's
   * transaction it shares it (and, for a mutation, the pin locks the membership until the
   * commit); for a member outside a request (a socket) each use runs and checks on its own.
   */
  async requestScope(on: RequestTransaction | MemberCaller): Promise<TenantScope> {
    if (on instanceof RequestTransaction) {
      const { userId, orgId } = on.scope;
      if (orgId === undefined) throw new Error('requestScope() on a request without a tenant');
      const db = new TenantDb(this.#prisma, orgId, userId, this.#limits, { request: on });
      return { orgId, userId, role: await on.tenantRole(), db } as TenantScope;
    }
    const db = new TenantDb(this.#prisma, on.orgId, on.userId, this.#limits);
    return { orgId: on.orgId, userId: on.userId, role: await db.memberRole(), db } as TenantScope;
  }

  /** The signed-in user's own rows (their memberships, organizations), on the request's transaction if any. */
  userScope(on: RequestTransaction | { readonly userId: string }): UserDb {
    if (on instanceof RequestTransaction) return new UserDb(this.#prisma, on.scope.userId, this.#limits, { request: on });
    return new UserDb(this.#prisma, on.userId, this.#limits);
  }

  /**
   * One organization's data for background work (webhook delivery, upload expiry, realtime
   * feeds): no user and no membership check, each use in its own transaction. The only way
   * code outside a request touches a tenant's rows.
   */
  systemScope(orgId: string): TenantDb {
    return new TenantDb(this.#prisma, orgId, '', this.#limits);
  }
}
