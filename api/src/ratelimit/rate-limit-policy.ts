// The budgets a request is charged against: GitHub-style points per window, one budget per
// caller, per organization and (for requests without credentials) per client address.
import type { RateLimitSettings } from '../config';

export type PolicyName = 'caller' | 'organization' | 'address';

export interface RateLimitPolicy {
  readonly name: PolicyName;
  /** Points per window. */
  readonly points: number;
  readonly windowSeconds: number;
}

export type RateLimitPolicies = Readonly<Record<PolicyName, RateLimitPolicy>>;

export function policiesFrom(settings: RateLimitSettings): RateLimitPolicies {
  const policy = (name: PolicyName, points: number): RateLimitPolicy => ({ name, points, windowSeconds: settings.windowSeconds });
  return {
    caller: policy('caller', settings.callerPoints),
    organization: policy('organization', settings.organizationPoints),
    address: policy('address', settings.anonymousPoints),
  };
}

/** Where one budget stands after a charge. */
export interface BudgetState {
  readonly policy: RateLimitPolicy;
  readonly remaining: number;
  /** Milliseconds until the window ends and the budget is full again. */
  readonly resetMs: number;
  /** This charge went over the budget: the request is refused. */
  readonly isExceeded: boolean;
}
