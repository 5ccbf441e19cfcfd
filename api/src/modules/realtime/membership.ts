// A socket outlives the membership it was opened with: a member can be removed (or demoted)
// while connected. So the realtime side never remembers a role; it asks the database again
// on every subscribe, on every executed batch of events, and on a timer.
import type { Tenancy } from '../../tenancy/tenancy';
import { AppError } from '../../errors/app-error';
import type { Tenant } from '../../graphql/context';
import { createLoaders } from '../../graphql/request-loaders';

/** Who a socket acts as: fixed at connection_init; what they may do is looked up each time. */
export interface MemberScope {
  readonly orgId: string;
  readonly userId: string;
}

export function membershipLost(): AppError {
  return new AppError('FORBIDDEN', 'You are no longer a member of this organization');
}

/**
 * The member's tenant as of now, on a fresh (never request-scoped) handle with fresh loaders;
 * FORBIDDEN once the membership is gone.
 */
export async function currentTenant(tenancy: Tenancy, member: MemberScope): Promise<Tenant> {
  // The pin refuses a non-member (FORBIDDEN); a socket says why in its own words.
  const scope = await tenancy.requestScope(member).catch((error: unknown) => Promise.reject(isMembershipLost(error) ? membershipLost() : error));
  return { ...scope, loaders: createLoaders(scope.db) };
}

export function isMembershipLost(error: unknown): boolean {
  return error instanceof AppError && error.code === 'FORBIDDEN';
}

/**
 * One socket's membership checks: checks asked for while one is in flight share it (twenty
 * subscribes or event batches arriving together cost one query, not twenty), and a check that
 * cannot reach the database is retried a few times before it is given up as unavailable.
 */
export class MembershipCheck {
  private inFlight: Promise<Tenant> | undefined;

  constructor(
    private readonly tenancy: Tenancy,
    readonly scope: MemberScope,
    private readonly retries = 3,
    private readonly retryDelayMs = 500,
  ) {}

  current(): Promise<Tenant> {
    this.inFlight ??= this.look().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async look(): Promise<Tenant> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await currentTenant(this.tenancy, this.scope);
      } catch (error) {
        if (isMembershipLost(error) || attempt >= this.retries) throw error;
        await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * (attempt + 1)).unref());
      }
    }
  }
}
