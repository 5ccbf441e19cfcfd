// Where application code queues background work, always in the caller's transaction: the job
// exists only if the change commits, and a rolled-back change leaves no job behind. Modules name
// their task and payload; the queue (graphile-worker) is known only here and in the runner.
import type { Prisma } from '../generated/prisma/client';

type Tx = Pick<Prisma.TransactionClient, '$executeRaw'>;

export interface EnqueueOptions {
  /** Not before this moment (default: now). */
  readonly runAt?: Date | null;
  /** A job with the same key is replaced instead of queued twice. */
  readonly jobKey?: string | null;
}

/** Queues `task` with a JSON payload in the transaction `tx` belongs to. */
export async function enqueue(tx: Tx, task: string, payload: unknown, options: EnqueueOptions = {}): Promise<void> {
  await tx.$executeRaw`SELECT graphile_worker.add_job(${task}, ${JSON.stringify(payload)}::json, run_at := ${options.runAt ?? null}::timestamptz, job_key := ${options.jobKey ?? null}::text)`;
}

/**
 * Webhook deliveries go through the SQL function webhook_enqueue, the one definition the outbox
 * trigger uses too: it puts the job in one of its tenant's two lanes, so a tenant's slow
 * receivers hold at most two workers (migration webhook_job_lanes).
 */
export async function enqueueDelivery(tx: Tx, orgId: string, deliveryId: bigint, options: EnqueueOptions = {}): Promise<void> {
  await tx.$executeRaw`SELECT webhook_enqueue(${orgId}::uuid, ${deliveryId}::bigint, ${options.runAt ?? null}::timestamptz, ${options.jobKey ?? null}::text)`;
}
