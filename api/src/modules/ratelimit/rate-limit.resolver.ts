// `rateLimit`: the budget this very request was charged against (the charge happens before any
// resolver runs, so the answer includes this request's own cost).
import { Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../../graphql/context';
import { rateLimitSlotOf } from '../../ratelimit/rate-limit-slot';
import { RateLimitObject } from './rate-limit.type';

@Resolver(() => RateLimitObject)
export class RateLimitResolver {
  @Query(() => RateLimitObject, { description: "The caller's budget in this window (the address's, without credentials)." })
  rateLimit(@Ctx() ctx: Context): RateLimitObject {
    const charge = rateLimitSlotOf(ctx)?.charge;
    // Every request over HTTP is charged before execution; nothing else runs queries.
    if (!charge) throw new Error('rateLimit: this request was not charged');
    const { binding } = charge;
    return { limit: binding.policy.points, remaining: binding.remaining, cost: charge.cost, resetAt: new Date(Date.now() + binding.resetMs) };
  }
}
