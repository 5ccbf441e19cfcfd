// /health answers "this process can serve" without touching the database (a database outage
// must not make the Auto Scaling Group replace healthy instances); /ready also checks the
// database. Both turn 503 as soon as the instance starts draining.
import type { Request, Response, Router } from 'express';
import express from 'express';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { httpStatusOf } from '../errors/error-code';

/** What /ready says while the database is away; the driver's error (addresses, ports) goes to the log only. */
export const DATABASE_UNAVAILABLE = 'database unavailable';

/** Draining and a database away are both "this instance cannot serve now". */
const UNAVAILABLE = httpStatusOf('SERVICE_UNAVAILABLE');

export class Lifecycle {
  private drainingSince: number | undefined;

  get isDraining(): boolean {
    return this.drainingSince !== undefined;
  }

  startDraining(): void {
    this.drainingSince ??= Date.now();
  }
}

async function databaseReachable(pool: Pool, timeoutMs: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      pool.query('SELECT 1'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return null;
  } catch (error) {
    return `database unreachable: ${(error as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

export function healthRouter(lifecycle: Lifecycle, pool: Pool, readyTimeoutMs: number, logger: Logger): Router {
  const router = express.Router();
  router.get('/health', (_req: Request, res: Response) => {
    if (lifecycle.isDraining) res.status(UNAVAILABLE).json({ status: 'draining' });
    else res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req: Request, res: Response) => {
    if (lifecycle.isDraining) {
      res.status(UNAVAILABLE).json({ status: 'draining', reason: 'shutting down' });
      return;
    }
    const problem = await databaseReachable(pool, readyTimeoutMs);
    if (problem) {
      logger.warn({ detail: problem }, 'not ready: the database is unreachable');
      res.status(UNAVAILABLE).json({ status: 'unavailable', reason: DATABASE_UNAVAILABLE });
    }
    else res.json({ status: 'ready' });
  });
  return router;
}
