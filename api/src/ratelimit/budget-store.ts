// Where budgets are counted: an interface with two homes, Redis (shared by every instance) and
// this process's memory (no Redis configured, or Redis down).
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { BudgetState, PolicyName, RateLimitPolicies, RateLimitPolicy } from './rate-limit-policy';

export interface BudgetStore {
  /** Spends `points` of `key`'s budget under `policy`; rejects only when the store itself fails. */
  consume(policy: RateLimitPolicy, key: string, points: number): Promise<BudgetState>;
  /** Resolves once the store can answer, or has given up trying for now (never rejects). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** One rate-limiter-flexible limiter per policy, whatever its storage. */
export class LimiterBudgetStore implements BudgetStore {
  constructor(
    private readonly limiters: Readonly<Record<PolicyName, RateLimiterAbstract>>,
    private readonly onClose: () => Promise<void> = async () => undefined,
    private readonly onReady: () => Promise<void> = async () => undefined,
  ) {}

  ready(): Promise<void> {
    return this.onReady();
  }

  async consume(policy: RateLimitPolicy, key: string, points: number): Promise<BudgetState> {
    try {
      const res = await this.limiters[policy.name].consume(key, points);
      return stateOf(policy, res, false);
    } catch (rejection) {
      // Over the budget: the library rejects with its result object; anything else is the store.
      if (rejection instanceof RateLimiterRes) return stateOf(policy, rejection, true);
      throw rejection;
    }
  }

  close(): Promise<void> {
    return this.onClose();
  }
}

function stateOf(policy: RateLimitPolicy, res: RateLimiterRes, isExceeded: boolean): BudgetState {
  return { policy, remaining: Math.max(0, res.remainingPoints), resetMs: Math.max(0, res.msBeforeNext), isExceeded };
}

export type LimiterFactory = (policy: RateLimitPolicy) => RateLimiterAbstract;

export function limitersFor(policies: RateLimitPolicies, make: LimiterFactory): Record<PolicyName, RateLimiterAbstract> {
  return { caller: make(policies.caller), organization: make(policies.organization), address: make(policies.address) };
}
