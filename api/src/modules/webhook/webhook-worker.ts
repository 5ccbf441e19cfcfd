// Every instance works webhook deliveries (graphile-worker; no separate service). Jobs are
// enqueued by the issue_events trigger in the change's own transaction (the outbox), woken at
// once by graphile-worker's LISTEN, and locked with SKIP LOCKED so no two workers run one job.
// The same runner schedules the hourly housekeeping (graphile-worker's cron runs it once per
// hour, whichever instance gets there first).
// The worker gets a small pool of its own: a delivery waiting on a slow receiver must not
// hold connections that requests need.
import { Logger as WorkerLogger, parseCronItems, run, type LogLevel, type Runner } from 'graphile-worker';
import { Pool, type ClientBase } from 'pg';
import type { AppServices } from '../../app-services';
import { DELIVERY_TASK, deliveryTask } from './webhook-delivery.task';
import { PRUNE_SCHEDULE, PRUNE_TASK, pruneTask } from '../housekeeping/prune-expired.task';
import { OBJECT_DELETE_TASK, UPLOAD_EXPIRY_TASK, objectDeleteTask, uploadExpiryTask } from '../attachment/attachment-jobs';

export const WORKER_APPLICATION_NAME = 'tracker-webhook-worker';

export interface WebhookWorker {
  stop(): Promise<void>;
}

function workerLogger(services: AppServices): WorkerLogger {
  const logger = services.logger.child({ component: 'webhook-worker' });
  return new WorkerLogger(() => (level: LogLevel, message: string, meta?: unknown) => {
    // graphile-worker reports every completed job at "info": that is our debug.
    if (level === 'error') logger.error({ meta }, message);
    else if (level === 'warning') logger.warn({ meta }, message);
    else logger.debug({ meta }, message);
  });
}

/** Undefined when WEBHOOK_WORKER_CONCURRENCY is 0 (this instance only enqueues). */
export async function startWebhookWorker(services: AppServices): Promise<WebhookWorker | undefined> {
  const { config, database, logger, transactionLimits } = services;
  const settings = config.webhooks;
  if (settings.workerConcurrency === 0) return undefined;
  const role = database.options.setRole;
  const pool = new Pool({
    connectionString: database.options.url,
    // One more for graphile-worker's LISTEN connection, one for its housekeeping.
    max: settings.workerConcurrency + 2,
    application_name: WORKER_APPLICATION_NAME,
    keepAlive: true,
    ...(role ? { onConnect: (client: ClientBase) => client.query(`SET ROLE "${role.replace(/"/g, '""')}"`).then(() => undefined) } : {}),
  });
  // An idle connection's error (database restart) must not crash the process.
  const onError = (error: Error) => logger.warn({ err: error }, 'webhook worker connection error');
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  let runner: Runner;
  try {
    runner = await run({
      pgPool: pool,
      concurrency: settings.workerConcurrency,
      noHandleSignals: true,
      pollInterval: settings.pollIntervalMs,
      // No backfill: an hour missed while every instance was down needs no catching up.
      parsedCronItems: parseCronItems([{ task: PRUNE_TASK, match: PRUNE_SCHEDULE, identifier: PRUNE_TASK, options: { backfillPeriod: 0, maxAttempts: 1 } }]),
      logger: workerLogger(services),
      taskList: {
        [DELIVERY_TASK]: deliveryTask({ prisma: database.prisma, limits: transactionLimits, settings, logger }),
        [PRUNE_TASK]: pruneTask(database.prisma, logger.child({ component: 'housekeeping' })),
        [OBJECT_DELETE_TASK]: objectDeleteTask(services.objectStore),
        [UPLOAD_EXPIRY_TASK]: uploadExpiryTask({ prisma: database.prisma, limits: transactionLimits, logger: logger.child({ component: 'housekeeping' }) }),
      },
    });
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      // Lets running attempts finish (each is bounded by WEBHOOK_TIMEOUT_MS), then frees the pool.
      stopping ??= runner
        .stop()
        .catch((error: unknown) => logger.warn({ err: error }, 'webhook worker stop failed'))
        .then(() => pool.end());
      return stopping;
    },
  };
}
