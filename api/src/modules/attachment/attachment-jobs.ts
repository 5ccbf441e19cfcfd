// Object deletion happens after the delete commits, through graphile-worker jobs enqueued in
// the deleting transaction: a rolled-back delete enqueues nothing, a committed one is retried
// (graphile-worker's backoff, 25 attempts) until the store confirms. An upload never
// completed is swept by a job scheduled for the moment its URL expires.
import type { Task } from 'graphile-worker';
import type { Logger } from 'pino';
import type { Tenancy } from '../../tenancy/tenancy';
import type { Tx } from '../../db/tx';
import { enqueue } from '../../jobs/enqueue';
import { OBJECT_KEY, type ObjectStore } from './object-store';

export const OBJECT_DELETE_TASK = 'attachment_object_delete';
export const UPLOAD_EXPIRY_TASK = 'attachment_upload_expiry';

/** Keys per job: one job stays small however many attachments a project held. */
const KEYS_PER_JOB = 500;
/** How long after its URL expires an unfinished upload is swept (a PUT may still be landing). */
export const EXPIRY_GRACE_SECONDS = 60;

export async function enqueueObjectDeletes(tx: Tx, keys: readonly string[]): Promise<void> {
  for (let start = 0; start < keys.length; start += KEYS_PER_JOB) {
    await enqueue(tx, OBJECT_DELETE_TASK, { keys: keys.slice(start, start + KEYS_PER_JOB) });
  }
}

export async function scheduleUploadExpiry(tx: Tx, orgId: string, attachmentId: string, expiresAt: Date): Promise<void> {
  const runAt = new Date(expiresAt.getTime() + EXPIRY_GRACE_SECONDS * 1000);
  await enqueue(tx, UPLOAD_EXPIRY_TASK, { orgId, attachmentId }, { runAt });
}

export function objectDeleteTask(store: ObjectStore): Task {
  return async (payload) => {
    const keys = ((payload ?? {}) as { keys?: unknown }).keys;
    if (!Array.isArray(keys)) return;
    for (const key of keys) if (typeof key === 'string' && OBJECT_KEY.test(key)) await store.delete(key);
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface ExpiryTaskDeps {
  readonly tenancy: Tenancy;
  readonly logger: Logger;
}

/** Removes the attachment if it is still unfinished, and enqueues its object's deletion. */
export function uploadExpiryTask(deps: ExpiryTaskDeps): Task {
  return async (payload) => {
    const { orgId, attachmentId } = (payload ?? {}) as { orgId?: unknown; attachmentId?: unknown };
    if (typeof orgId !== 'string' || !UUID.test(orgId) || typeof attachmentId !== 'string' || !UUID.test(attachmentId)) return;
    const db = deps.tenancy.systemScope(orgId);
    await db.run(async (tx) => {
      const removed = await tx.$queryRaw<{ object_key: string }[]>`
        DELETE FROM attachments WHERE org_id = ${orgId}::uuid AND id = ${attachmentId}::uuid AND completed_at IS NULL RETURNING object_key`;
      await enqueueObjectDeletes(tx, removed.map((row) => row.object_key));
      if (removed.length > 0) deps.logger.info({ orgId, attachmentId }, 'swept an unfinished attachment upload');
    });
  };
}
