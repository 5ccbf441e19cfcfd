// When a failed delivery is tried again: exponential backoff, capped, with equal jitter so
// deliveries that failed together (a receiver outage) don't all return at the same moment.

export interface RetryPolicy {
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
}

/** The wait after the `attempts`-th failed attempt (1-based). */
export function retryDelayMs(attempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 40));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
