// The graphile-worker task behind every delivery attempt. A job only carries the tenant and
// the delivery id; the task reads everything else under that tenant's row-level security.
// graphile-worker already keeps two workers off one job; the lease on the delivery row also
// keeps two jobs for the same delivery (a redelivery racing a retry) from sending at once.
// Retries are scheduled here, not by graphile-worker: our own backoff with jitter, bounded
// by the retry window, recorded on the delivery row in the same transaction as the next job.
import type { Task } from 'graphile-worker';
import type { Logger } from 'pino';
import type { IssueEvent } from '../../generated/prisma/client';
import type { WebhookSettings } from '../../config';
import type { TenantDb } from '../../tenancy/tenant-db';
import type { Tenancy } from '../../tenancy/tenancy';
import { toGlobalId } from '../../graphql/global-id';
import { enqueueDelivery } from '../../jobs/enqueue';
import { retryDelayMs } from './retry-schedule';
import { postWebhook, type SendOutcome } from './webhook-sender';
import { DELIVERY_ID_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from './webhook-signer';
import { webhookBody } from './webhook-payload';

export const DELIVERY_TASK = 'webhook_delivery';

export interface DeliveryTaskDeps {
  readonly tenancy: Tenancy;
  readonly settings: WebhookSettings;
  readonly logger: Logger;
}

interface Claim {
  readonly id: bigint;
  readonly attempts: number;
  readonly url: string;
  readonly secret: string;
  readonly event: IssueEvent | null;
  readonly projectKey: string;
  readonly issueNumber: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function parsePayload(payload: unknown): { orgId: string; deliveryId: bigint } | null {
  const { orgId, deliveryId } = (payload ?? {}) as { orgId?: unknown; deliveryId?: unknown };
  if (typeof orgId !== 'string' || !UUID.test(orgId) || typeof deliveryId !== 'string' || !/^[0-9]{1,19}$/.test(deliveryId)) return null;
  return { orgId, deliveryId: BigInt(deliveryId) };
}

/** Takes the delivery if it is due, pending and not leased; with what sending it needs. */
async function claim(db: TenantDb, deliveryId: bigint, leaseMs: number): Promise<Claim | null> {
  return db.run(async (tx) => {
    const [taken] = await tx.$queryRaw<{ id: bigint; webhook_id: string; event_id: bigint; attempts: number }[]>`
      UPDATE webhook_deliveries SET leased_until = now() + ${leaseMs}::float8 * interval '1 millisecond'
      WHERE org_id = ${db.orgId}::uuid AND id = ${deliveryId} AND status = 'PENDING' AND next_attempt_at <= now()
        AND (leased_until IS NULL OR leased_until < now())
      RETURNING id, webhook_id, event_id, attempts`;
    if (!taken) {
      // Still pending but leased or not due: an attempt that died with its runner (the job
      // came back when the runner restarted) or a duplicate job. Look again when the lease
      // ends, instead of dropping the delivery; the key keeps that to one job per delivery.
      const [waiting] = await tx.$queryRaw<{ at: Date }[]>`
        SELECT greatest(leased_until, next_attempt_at) AS at FROM webhook_deliveries
        WHERE org_id = ${db.orgId}::uuid AND id = ${deliveryId} AND status = 'PENDING'`;
      if (waiting) await enqueueDelivery(tx, db.orgId, deliveryId, { runAt: waiting.at, jobKey: `webhook-delivery-recheck:${deliveryId}` });
      return null;
    }
    const webhook = await tx.webhook.findUniqueOrThrow({ where: { id: taken.webhook_id }, include: { project: { select: { key: true } } } });
    const event = await tx.issueEvent.findFirst({ where: { id: taken.event_id, orgId: db.orgId } });
    const issue = event && (await tx.issue.findUnique({ where: { id: event.issueId }, select: { number: true } }));
    return { id: taken.id, attempts: taken.attempts, url: webhook.url, secret: webhook.secret, event: issue ? event : null, projectKey: webhook.project.key, issueNumber: issue?.number ?? 0 };
  });
}

/** Records the attempt; schedules the next one (in the same transaction) or gives up. */
async function record(db: TenantDb, deliveryId: bigint, outcome: SendOutcome, settings: WebhookSettings, attemptsSoFar: number, isFinal = false): Promise<void> {
  await db.run(async (tx) => {
    if (outcome.isSuccess) {
      await tx.$executeRaw`
        UPDATE webhook_deliveries SET status = 'SUCCEEDED', attempts = attempts + 1, response_status = ${outcome.status ?? null},
          last_error = NULL, last_attempt_at = now(), next_attempt_at = NULL, leased_until = NULL
        WHERE org_id = ${db.orgId}::uuid AND id = ${deliveryId}`;
      return;
    }
    // A final failure schedules nothing: a delay past any window marks it FAILED below.
    const delayMs = isFinal ? settings.retryWindowMs + 1 : retryDelayMs(attemptsSoFar + 1, settings);
    const [row] = await tx.$queryRaw<{ status: string; next_attempt_at: Date | null }[]>`
      UPDATE webhook_deliveries SET attempts = attempts + 1, response_status = ${outcome.status ?? null},
        last_error = ${(outcome.error ?? 'failed').slice(0, 500)}, last_attempt_at = now(), leased_until = NULL,
        status = CASE WHEN created_at + ${settings.retryWindowMs}::float8 * interval '1 millisecond' < now() + ${delayMs}::float8 * interval '1 millisecond'
                      THEN 'FAILED'::"WebhookDeliveryStatus" ELSE 'PENDING'::"WebhookDeliveryStatus" END,
        next_attempt_at = CASE WHEN created_at + ${settings.retryWindowMs}::float8 * interval '1 millisecond' < now() + ${delayMs}::float8 * interval '1 millisecond'
                      THEN NULL ELSE now() + ${delayMs}::float8 * interval '1 millisecond' END
      WHERE org_id = ${db.orgId}::uuid AND id = ${deliveryId}
      RETURNING status::text AS status, next_attempt_at`;
    if (row?.status === 'PENDING') await enqueueDelivery(tx, db.orgId, deliveryId, { runAt: row.next_attempt_at });
  });
}

export function deliveryTask(deps: DeliveryTaskDeps): Task {
  const { settings } = deps;
  // Longer than one attempt can take, so a live attempt never loses its lease.
  const leaseMs = settings.timeoutMs + 10_000;
  return async (payload) => {
    const job = parsePayload(payload);
    if (!job) return deps.logger.warn({ payload }, 'ignoring a malformed webhook job');
    const db = deps.tenancy.systemScope(job.orgId);
    const taken = await claim(db, job.deliveryId, leaseMs);
    if (!taken) return;
    if (!taken.event) return record(db, taken.id, { isSuccess: false, error: 'the event no longer exists' }, settings, taken.attempts, true);
    const body = webhookBody(taken.event, taken);
    const outcome = await postWebhook(
      taken.url,
      body,
      {
        [SIGNATURE_HEADER]: signatureHeader(taken.secret, body),
        [EVENT_ID_HEADER]: toGlobalId('IssueEvent', taken.event.id),
        [DELIVERY_ID_HEADER]: toGlobalId('WebhookDelivery', taken.id),
      },
      settings,
    );
    // A refused target stays refused: FAILED now, with the reason, rather than retried for a day.
    await record(db, taken.id, outcome, settings, taken.attempts, outcome.isRefused === true);
  };
}
