// Where application code queues background work, in the caller's transaction (the job exists
// only if the change commits). Webhook deliveries go through the SQL function webhook_enqueue,
// the one definition the outbox trigger uses too: it puts the job in one of its tenant's two
// lanes, so a tenant's slow receivers hold at most two workers (migration webhook_job_lanes).
import type { Prisma } from '../generated/prisma/client';

type Tx = Pick<Prisma.TransactionClient, '$executeRaw'>;

export async function enqueueDelivery(tx: Tx, orgId: string, deliveryId: bigint, options: { runAt?: Date | null; jobKey?: string } = {}): Promise<void> {
  await tx.$executeRaw`SELECT webhook_enqueue(${orgId}::uuid, ${deliveryId}::bigint, ${options.runAt ?? null}::timestamptz, ${options.jobKey ?? null}::text)`;
}
