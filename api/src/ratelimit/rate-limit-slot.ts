// What the HTTP layer and the rate-limit plugin share about one request: the client address it
// came from, and the charge once made (read by the `rateLimit` query and the response headers).
// It hangs off the GraphQL context under a symbol, like the request record: Apollo hands plugins
// a shallow copy of the context, which keeps own symbol properties.
import type { Charge } from './rate-limiter';

export interface RateLimitSlot {
  readonly clientAddress: string;
  charge?: Charge;
}

const SLOT = Symbol('rateLimitSlot');

export function withRateLimitSlot<T extends object>(context: T, slot: RateLimitSlot): T {
  return Object.assign(context, { [SLOT]: slot });
}

export function rateLimitSlotOf(context: object | undefined): RateLimitSlot | undefined {
  return (context as { [SLOT]?: RateLimitSlot } | undefined)?.[SLOT];
}
