// Hourly housekeeping on a graphile-worker cron (one run per hour across all instances):
// removes rows that can no longer matter, which would otherwise grow without bound. Failed
// log-ins older than the counting window, and refresh tokens past their expiry (an expired
// token is refused whether or not its row exists, so reuse detection loses nothing).
// Idempotency keys are swept per tenant as keys are used (idempotency-store.ts), under that
// tenant's row-level security. Deletes go in bounded batches so no statement runs long.
import type { Task } from 'graphile-worker';
import type { Logger } from 'pino';
import type { PrismaClient } from '../../generated/prisma/client';
import { FAILURE_WINDOW_MS } from '../../auth/session.service';

export const PRUNE_TASK = 'prune_expired';
/** Minute 17 of every hour: away from the top of the hour, when other cron work bunches up. */
export const PRUNE_SCHEDULE = '17 * * * *';

const BATCH = 5_000;
const MAX_BATCHES = 100;

export interface Pruned {
  readonly loginFailures: number;
  readonly refreshTokens: number;
}

async function inBatches(remove: () => Promise<number>): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const removed = await remove();
    total += removed;
    if (removed < BATCH) break;
  }
  return total;
}

export async function pruneExpired(prisma: PrismaClient, now = new Date()): Promise<Pruned> {
  const failuresBefore = new Date(now.getTime() - FAILURE_WINDOW_MS);
  const loginFailures = await inBatches(
    () => prisma.$executeRaw`DELETE FROM login_failures WHERE id IN (SELECT id FROM login_failures WHERE at < ${failuresBefore} LIMIT ${BATCH})`,
  );
  const refreshTokens = await inBatches(
    () => prisma.$executeRaw`DELETE FROM refresh_tokens WHERE id IN (SELECT id FROM refresh_tokens WHERE expires_at < ${now} LIMIT ${BATCH})`,
  );
  return { loginFailures, refreshTokens };
}

export function pruneTask(prisma: PrismaClient, logger: Logger): Task {
  return async () => {
    const pruned = await pruneExpired(prisma);
    logger.info({ pruned }, 'pruned expired rows');
  };
}
