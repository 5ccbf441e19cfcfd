// Redis down: budgets are counted in this process instead (each instance allows the full budget
// on its own, so a client spread over N instances may get up to N times it) and the outage is
// logged once when it starts and once when it ends. Availability over exactness: the API keeps
// answering, limits stay bounded, and Redis failing never fails a request.
import type { Logger } from 'pino';
import type { BudgetStore } from './budget-store';
import type { BudgetState, RateLimitPolicy } from './rate-limit-policy';

/** After a failure, Redis is left alone this long, so a hanging Redis does not slow every request. */
const RETRY_REDIS_AFTER_MS = 1000;

export class FallbackBudgetStore implements BudgetStore {
  private downSince: number | undefined;
  private nextAttemptAt = 0;

  constructor(
    private readonly primary: BudgetStore,
    private readonly fallback: BudgetStore,
    private readonly logger: Logger,
  ) {}

  /** True while charges go to the in-process fallback. */
  get isDegraded(): boolean {
    return this.downSince !== undefined;
  }

  async consume(policy: RateLimitPolicy, key: string, points: number): Promise<BudgetState> {
    if (this.downSince === undefined || Date.now() >= this.nextAttemptAt) {
      try {
        const state = await this.primary.consume(policy, key, points);
        if (this.downSince !== undefined) {
          this.logger.info({ downForMs: Date.now() - this.downSince }, 'rate limits: Redis is back, budgets are shared again');
          this.downSince = undefined;
        }
        return state;
      } catch (error) {
        this.nextAttemptAt = Date.now() + RETRY_REDIS_AFTER_MS;
        if (this.downSince === undefined) {
          this.downSince = Date.now();
          this.logger.warn({ err: error }, 'rate limits: Redis is unavailable, counting budgets in this process until it returns');
        }
      }
    }
    return this.fallback.consume(policy, key, points);
  }

  async ready(): Promise<void> {
    await Promise.all([this.primary.ready(), this.fallback.ready()]);
  }

  async close(): Promise<void> {
    await Promise.all([this.primary.close(), this.fallback.close()]);
  }
}
