// Every instance runs the background jobs (graphile-worker; no separate service): webhook
// deliveries, woken at once by graphile-worker's LISTEN and locked with SKIP LOCKED so no two
// workers run one job, and the hourly housekeeping on graphile-worker's cron.
//
// The runner is supervised. graphile-worker stops its whole runner when it cannot record a
// job's end (a connection reset while jobs are in flight) and cannot start while the database
// is unreachable; either used to end the process, on every instance at once. Here a failed or
// refused runner is logged and started again with backoff, for as long as the process lives,
// and the API keeps serving (and answering SERVICE_UNAVAILABLE) meanwhile. Jobs the failed
// runner had locked are unlocked when the next one starts, instead of waiting out
// graphile-worker's four-hour lock expiry.
//
// The runner gets a small pool of its own: a delivery waiting on a slow receiver must not
// hold connections that requests need.
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger as WorkerLogger, run, type LogLevel, type Runner, type WorkerEvents } from 'graphile-worker';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import type { AppServices } from '../app-services';
import type { Database } from '../db/prisma-client';
import { cronItems, taskList } from './task-registry';

export const WORKER_APPLICATION_NAME = 'tracker-job-runner';

/** How long the runner's pool waits for a connection: an unreachable database fails the start, it does not hang it. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * A job locked this long belongs to a runner that died without unlocking it (its process was
 * killed): no live attempt lasts that long (a delivery is bounded by WEBHOOK_TIMEOUT_MS and
 * its lease). graphile-worker would wait four hours, and with per-tenant lanes that would stall
 * the lane. Such locks go back to the queue; the delivery lease keeps a late attempt from
 * sending twice.
 */
export function staleLockMs(timeoutMs: number): number {
  return 2 * (timeoutMs + 10_000);
}

export interface JobRunner {
  /** Resolves once a runner is up (tests); never rejects. */
  readonly started: Promise<void>;
  stop(): Promise<void>;
}

function workerLogger(logger: Logger): WorkerLogger {
  return new WorkerLogger(() => (level: LogLevel, message: string, meta?: unknown) => {
    // graphile-worker reports every completed job at "info": that is our debug. Its errors
    // while the database is away are expected, and the supervisor reports the outcome.
    if (level === 'error') logger.warn({ meta }, message);
    else if (level === 'warning') logger.warn({ meta }, message);
    else logger.debug({ meta }, message);
  });
}

export function restartDelayMs(failures: number, minMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(failures, 30));
  // Jitter, so instances that lost the database together do not return in lockstep.
  return Math.max(minMs, Math.round(ceiling / 2 + (Math.random() * ceiling) / 2));
}

/** Undefined when WEBHOOK_WORKER_CONCURRENCY is 0 (this instance only enqueues). */
export function startJobRunner(services: AppServices, database: Database): JobRunner | undefined {
  const { config } = services;
  const settings = config.webhooks;
  if (settings.workerConcurrency === 0) return undefined;
  const logger = services.logger.child({ component: 'job-runner' });
  const pool = new Pool({
    connectionString: database.options.url,
    // One more for graphile-worker's LISTEN connection, one for its housekeeping.
    max: settings.workerConcurrency + 2,
    application_name: WORKER_APPLICATION_NAME,
    keepAlive: true,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  // An idle connection's error (database restart) must not crash the process.
  const onError = (error: Error) => logger.warn({ err: error }, 'job runner connection error');
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));

  const stopping = new AbortController();
  let current: Runner | undefined;
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const tasks = taskList(services, database);
  const cron = cronItems();

  /** Jobs still locked by workers of a runner that died: back to the queue. */
  async function unlock(workerIds: string[]): Promise<void> {
    if (workerIds.length === 0) return;
    await pool.query('SELECT graphile_worker.force_unlock_workers($1::text[])', [workerIds]);
    logger.info({ workers: workerIds.length }, 'unlocked the jobs of a job runner that is gone');
  }

  /** Locks older than any live attempt: their runner's process is gone. */
  async function unlockStale(): Promise<void> {
    const { rows } = await pool.query<{ pools: string[] }>(
      `SELECT array(SELECT DISTINCT locked_by FROM graphile_worker._private_jobs
                    WHERE locked_by IS NOT NULL AND locked_at < now() - $1::float8 * interval '1 millisecond') AS pools`,
      [staleLockMs(settings.timeoutMs)],
    );
    await unlock(rows[0]?.pools ?? []);
  }
  // Every instance sweeps (a scan of the job table, small while the queue keeps up); idempotent.
  const sweep = setInterval(() => {
    if (current) unlockStale().catch((error: unknown) => logger.debug({ err: error }, 'stale lock sweep failed'));
  }, Math.min(60_000, staleLockMs(settings.timeoutMs) / 2));
  sweep.unref();

  async function supervise(): Promise<void> {
    let failures = 0;
    let orphans: string[] = [];
    while (!stopping.signal.aborted) {
      const workerIds: string[] = [];
      const events: WorkerEvents = new EventEmitter();
      // Jobs and queues are locked in the name of the worker pool (older versions: the worker).
      events.on('pool:create', ({ workerPool }) => workerIds.push(workerPool.id));
      events.on('worker:create', ({ worker }) => workerIds.push(worker.workerId));
      try {
        const runner = await run({
          pgPool: pool,
          concurrency: settings.workerConcurrency,
          noHandleSignals: true,
          pollInterval: settings.pollIntervalMs,
          parsedCronItems: cron,
          logger: workerLogger(logger),
          events,
          taskList: tasks,
          // Batched completion (0 ms: no waiting) routes a failure to record a job's end into
          // the runner's own failure, which the supervisor sees; unbatched, graphile-worker
          // leaves that promise unhandled and the job locked.
          preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
        });
        current = runner;
        if (stopping.signal.aborted) {
          await runner.stop().catch(() => undefined);
          return;
        }
        if (failures > 0) logger.warn({ failures }, 'job runner started again');
        failures = 0;
        markStarted();
        await unlock(orphans)
          .then(unlockStale)
          .then(
            () => (orphans = []),
            (error: unknown) => logger.warn({ err: error }, 'could not unlock the jobs of a failed job runner'),
          );
        await runner.promise;
        if (stopping.signal.aborted) return;
        logger.error('job runner stopped by itself; starting it again');
      } catch (error) {
        if (stopping.signal.aborted) return;
        logger.error({ err: error, failures: failures + 1 }, current ? 'job runner failed; restarting' : 'job runner failed to start; retrying');
      }
      current = undefined;
      orphans.push(...workerIds);
      const delay = restartDelayMs(failures++, settings.runnerRestartMinMs, settings.runnerRestartMaxMs);
      await sleep(delay, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  }

  const supervising = supervise().catch((error: unknown) => logger.error({ err: error }, 'job runner supervisor ended'));
  let stopped: Promise<void> | undefined;
  return {
    started,
    stop() {
      // Lets running attempts finish (each is bounded by WEBHOOK_TIMEOUT_MS), then frees the pool.
      stopped ??= (async () => {
        stopping.abort();
        clearInterval(sweep);
        await current?.stop().catch((error: unknown) => logger.warn({ err: error }, 'job runner stop failed'));
        await supervising;
        await pool.end();
      })();
      return stopped;
    },
  };
}
