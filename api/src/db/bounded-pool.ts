// A pg Pool whose wait queue has a bound. pg's own queue grows without limit: when the database
// slows down, every request parks a callback (and its request state) in memory until the
// acquire timeout fires, so a latency spike turns into a memory spike and into a wall of
// requests that all fail late. Past DB_POOL_MAX_WAITING waiters we refuse at once instead, with
// an error the API reports as SERVICE_UNAVAILABLE: the client learns in microseconds, not after
// DB_ACQUIRE_TIMEOUT_MS, and memory stays flat.
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import { SQLSTATE_TOO_MANY_CONNECTIONS } from '../errors/database-errors';

/** SQLSTATE 53300 (too_many_connections): recognized as "database unavailable" everywhere. */
export class PoolQueueFullError extends Error {
  readonly code = SQLSTATE_TOO_MANY_CONNECTIONS;
  readonly severity = 'ERROR';

  constructor(readonly waiting: number) {
    super(`database pool wait queue is full (${waiting} requests already waiting for a connection)`);
    this.name = 'PoolQueueFullError';
  }
}

export interface BoundedPoolConfig extends PoolConfig {
  /** Requests allowed to wait for a connection when all are busy; 0 means none may wait. */
  readonly maxWaiting: number;
}

export class BoundedPool extends Pool {
  private readonly maxWaiting: number;
  /** Refusals since start, for metrics and the fault tests. */
  rejectedCount = 0;

  constructor(config: BoundedPoolConfig) {
    const { maxWaiting, ...poolConfig } = config;
    super(poolConfig);
    this.maxWaiting = maxWaiting;
  }

  // pool.query() goes through connect() too, so this one check covers Prisma's plain queries
  // and its interactive transactions alike.
  override connect(): Promise<PoolClient>;
  override connect(callback: (err: Error | undefined, client: PoolClient | undefined, done: (release?: unknown) => void) => void): void;
  override connect(callback?: (err: Error | undefined, client: PoolClient | undefined, done: (release?: unknown) => void) => void): Promise<PoolClient> | void {
    // Only a checkout that would queue counts: an idle client or room for a new one is free.
    const wouldWait = this.idleCount === 0 && this.totalCount >= (this.options.max ?? 10);
    if (wouldWait && this.waitingCount >= this.maxWaiting) {
      this.rejectedCount++;
      const error = new PoolQueueFullError(this.waitingCount);
      if (callback) {
        process.nextTick(() => callback(error, undefined, () => undefined));
        return;
      }
      return Promise.reject(error);
    }
    return callback ? super.connect(callback) : super.connect();
  }
}
