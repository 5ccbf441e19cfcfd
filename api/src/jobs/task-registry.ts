// Every background task and schedule, in one place. Modules define the handlers; this file
// decides what the runner runs.
import { parseCronItems, type ParsedCronItem, type TaskList } from 'graphile-worker';
import type { AppServices } from '../app-services';
import type { Database } from '../db/prisma-client';
import { DELIVERY_TASK, deliveryTask } from '../modules/webhook/webhook-delivery.task';
import { PRUNE_SCHEDULE, PRUNE_TASK, pruneTask } from '../modules/housekeeping/prune-expired.task';
import { OBJECT_DELETE_TASK, UPLOAD_EXPIRY_TASK, objectDeleteTask, uploadExpiryTask } from '../modules/attachment/attachment-jobs';

export function taskList(services: AppServices, database: Database): TaskList {
  const { config, tenancy, logger } = services;
  return {
    [DELIVERY_TASK]: deliveryTask({ tenancy, settings: config.webhooks, logger }),
    // Sweeps tables with no tenant (failed log-ins, refresh tokens): the one task on the unscoped client.
    [PRUNE_TASK]: pruneTask(database.prisma, logger.child({ component: 'housekeeping' })),
    [OBJECT_DELETE_TASK]: objectDeleteTask(services.objectStore),
    [UPLOAD_EXPIRY_TASK]: uploadExpiryTask({ tenancy, logger: logger.child({ component: 'housekeeping' }) }),
  };
}

export function cronItems(): ParsedCronItem[] {
  // No backfill: an hour missed while every instance was down needs no catching up.
  return parseCronItems([{ task: PRUNE_TASK, match: PRUNE_SCHEDULE, identifier: PRUNE_TASK, options: { backfillPeriod: 0, maxAttempts: 1 } }]);
}
