// The IETF httpapi RateLimit header fields (draft-ietf-httpapi-ratelimit-headers), as
// Structured Field lists naming each policy charged:
//   RateLimit-Policy: "caller";q=100000;w=60, "organization";q=500000;w=60
//   RateLimit: "caller";r=99990;t=42, "organization";r=499990;t=42
// Quota units are cost points, not requests (docs/using/limits.md says so). Retry-After goes with a 429.
import type { Charge } from './rate-limiter';

export function secondsUntilReset(resetMs: number): number {
  return Math.max(1, Math.ceil(resetMs / 1000));
}

export function rateLimitHeaders(charge: Charge): Record<string, string> {
  const policy = charge.budgets.map((b) => `"${b.policy.name}";q=${b.policy.points};w=${b.policy.windowSeconds}`).join(', ');
  const state = charge.budgets.map((b) => `"${b.policy.name}";r=${b.remaining};t=${secondsUntilReset(b.resetMs)}`).join(', ');
  const headers: Record<string, string> = { 'RateLimit-Policy': policy, RateLimit: state };
  if (charge.isExceeded) headers['Retry-After'] = String(secondsUntilReset(charge.binding.resetMs));
  return headers;
}
