// Budgets in this process only: the limiter without Redis (embedded, tests, development), and
// every instance's stand-in while Redis is down.
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { LimiterBudgetStore, limitersFor } from './budget-store';
import type { RateLimitPolicies } from './rate-limit-policy';

export function memoryBudgetStore(policies: RateLimitPolicies, keyPrefix: string): LimiterBudgetStore {
  return new LimiterBudgetStore(
    limitersFor(policies, (policy) => new RateLimiterMemory({ keyPrefix: `${keyPrefix}:${policy.name}`, points: policy.points, duration: policy.windowSeconds })),
  );
}
