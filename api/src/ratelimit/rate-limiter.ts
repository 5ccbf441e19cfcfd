// Charges a request's cost to every budget it draws on: the caller's and, inside an
// organization, the organization's; without credentials, the client address's. The first budget
// that runs out refuses the request, and budgets after it are not charged.
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { BudgetStore } from './budget-store';
import { FallbackBudgetStore } from './fallback-store';
import { memoryBudgetStore } from './memory-store';
import { policiesFrom, type BudgetState, type RateLimitPolicies } from './rate-limit-policy';
import { redisBudgetStore } from './redis-store';

/** Who pays. An organization is named only once the caller's membership is proven. */
export type RateLimitSubject =
  | { readonly kind: 'caller'; readonly userId: string; readonly orgId?: string }
  | { readonly kind: 'address'; readonly address: string };

export interface Charge {
  readonly cost: number;
  /** Each budget charged, in order (caller, then organization; or address). */
  readonly budgets: readonly BudgetState[];
  readonly isExceeded: boolean;
  /** The budget closest to running out (the exceeded one, if any): what `rateLimit` reports. */
  readonly binding: BudgetState;
}

export class RateLimiter {
  constructor(
    readonly policies: RateLimitPolicies,
    private readonly store: BudgetStore,
  ) {}

  async charge(subject: RateLimitSubject, cost: number): Promise<Charge> {
    const budgets: BudgetState[] = [];
    if (subject.kind === 'address') {
      budgets.push(await this.store.consume(this.policies.address, subject.address, cost));
    } else {
      const caller = await this.store.consume(this.policies.caller, subject.userId, cost);
      budgets.push(caller);
      if (!caller.isExceeded && subject.orgId !== undefined) {
        budgets.push(await this.store.consume(this.policies.organization, subject.orgId, cost));
      }
    }
    const exceeded = budgets.find((b) => b.isExceeded);
    const binding = exceeded ?? budgets.reduce((tightest, b) => (b.remaining < tightest.remaining ? b : tightest));
    return { cost, budgets, isExceeded: exceeded !== undefined, binding };
  }

  /** Waits (briefly) for the store's connection, so the first requests find it open. */
  ready(): Promise<void> {
    return this.store.ready();
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/** Redis when REDIS_URL is set (with this process as the stand-in while it is down), else memory. */
export function createRateLimiter(config: Config, logger: Logger): RateLimiter {
  const { rateLimits } = config;
  const policies = policiesFrom(rateLimits);
  const memory = memoryBudgetStore(policies, rateLimits.keyPrefix);
  if (!config.redisUrl) return new RateLimiter(policies, memory);
  const redis = redisBudgetStore(policies, { url: config.redisUrl, keyPrefix: rateLimits.keyPrefix, timeoutMs: rateLimits.redisTimeoutMs, logger });
  return new RateLimiter(policies, new FallbackBudgetStore(redis, memory, logger));
}
