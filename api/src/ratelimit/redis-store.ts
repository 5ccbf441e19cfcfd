// Budgets in Redis, shared by every instance: rate-limiter-flexible's atomic increment-with-expiry
// (one Lua call per charge) on an ioredis connection that fails fast instead of queueing, so a
// Redis that is down or hangs costs a request at most `redisTimeoutMs`.
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { Logger } from 'pino';
import { LimiterBudgetStore, limitersFor } from './budget-store';
import type { RateLimitPolicies } from './rate-limit-policy';

export interface RedisStoreOptions {
  readonly url: string;
  readonly keyPrefix: string;
  readonly timeoutMs: number;
  readonly logger: Logger;
}

export function redisBudgetStore(policies: RateLimitPolicies, options: RedisStoreOptions): LimiterBudgetStore {
  const redis = new Redis(options.url, {
    // Commands while disconnected fail at once (the caller falls back) rather than waiting.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.timeoutMs,
    connectTimeout: Math.max(options.timeoutMs, 1000),
    // Keep trying in the background, at most every 2 s: budgets return to Redis by themselves.
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  // Without a listener ioredis prints every failed reconnect; the fallback store logs the outage once.
  redis.on('error', (error: Error) => options.logger.debug({ err: error }, 'rate limits: Redis connection error'));
  const limiters = limitersFor(
    policies,
    (policy) =>
      new RateLimiterRedis({
        storeClient: redis,
        rejectIfRedisNotReady: true,
        keyPrefix: `${options.keyPrefix}:${policy.name}`,
        points: policy.points,
        duration: policy.windowSeconds,
      }),
  );
  return new LimiterBudgetStore(
    limiters,
    async () => {
      // quit() would wait for a Redis that may be gone; the counters need no goodbye.
      redis.disconnect();
    },
    // At start-up: the first requests should not find the connection still opening and report
    // an outage that is none. A Redis that is really down ends the wait at its first failure.
    () =>
      new Promise<void>((resolve) => {
        if (redis.status === 'ready') return resolve();
        const done = () => {
          redis.off('ready', done);
          redis.off('error', done);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(done, Math.max(options.timeoutMs, 1000));
        redis.once('ready', done);
        redis.once('error', done);
      }),
  );
}
