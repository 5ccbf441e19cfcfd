// The idempotency_keys table, used only inside the organization's request transaction: the key
// is claimed by the same transaction that then runs the mutation and stores its response, so
// the key row, the writes and the response commit together or not at all. Plain SQL, one round
// trip per statement: on a slow network every round trip is felt by every keyed request.
import type { Tx } from '../../tenancy/tx';

export interface KeyScope {
  readonly orgId: string;
  readonly userId: string;
  readonly key: string;
}

/** What a replay sends back: the original status and body. */
export interface StoredResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export type Claim =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'busy' }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'replay'; readonly response: StoredResponse };

/** One in this many claims also deletes a batch of the tenant's expired keys. */
const SWEEP_ONE_IN = 20;

export async function claimKey(tx: Tx, scope: KeyScope, fingerprint: string, ttlHours: number): Promise<Claim> {
  // A transaction-scoped advisory lock says "a request with this key is running now". It is
  // held until this transaction ends, and PostgreSQL drops it with the connection, so a
  // process killed mid-request never leaves a key stuck. try_ (not waiting) is what lets a
  // concurrent duplicate be refused at once instead of queueing behind the original.
  const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`
    SELECT pg_try_advisory_xact_lock(hashtextextended(${`idempotency:${scope.orgId}:${scope.userId}:${scope.key}`}, 0)) AS locked`;
  if (!lock?.locked) return { kind: 'busy' };

  // A new statement, so a new snapshot (READ COMMITTED): it sees the row of a request that
  // committed just before we got the lock. (One SELECT doing both would read the older snapshot.)
  const [existing] = await tx.$queryRaw<{ fingerprint: string; response: StoredResponse | null; live: boolean }[]>`
    SELECT fingerprint, response, expires_at > now() AS live FROM idempotency_keys
    WHERE org_id = ${scope.orgId}::uuid AND user_id = ${scope.userId}::uuid AND key = ${scope.key}`;
  // A committed row always carries its response (it is stored before the commit); an expired
  // one is free for reuse.
  if (existing?.live && existing.response !== null) {
    if (existing.fingerprint !== fingerprint) return { kind: 'mismatch' };
    return { kind: 'replay', response: existing.response };
  }
  await tx.$executeRaw`
    INSERT INTO idempotency_keys (org_id, user_id, key, fingerprint, response, created_at, expires_at)
    VALUES (${scope.orgId}::uuid, ${scope.userId}::uuid, ${scope.key}, ${fingerprint}, NULL, now(), now() + make_interval(hours => ${ttlHours}::int))
    ON CONFLICT (org_id, user_id, key) DO UPDATE
      SET fingerprint = EXCLUDED.fingerprint, response = NULL, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at`;
  if (Math.random() * SWEEP_ONE_IN < 1) await sweepExpired(tx, scope.orgId);
  return { kind: 'claimed' };
}

export async function storeResponse(tx: Tx, scope: KeyScope, response: StoredResponse): Promise<void> {
  await tx.$executeRaw`
    UPDATE idempotency_keys SET response = ${JSON.stringify(response)}::jsonb
    WHERE org_id = ${scope.orgId}::uuid AND user_id = ${scope.userId}::uuid AND key = ${scope.key}`;
}

/** Bounded, so a tenant with a large backlog never makes one request slow. */
async function sweepExpired(tx: Tx, orgId: string): Promise<void> {
  await tx.$executeRaw`
    DELETE FROM idempotency_keys WHERE ctid IN (
      SELECT ctid FROM idempotency_keys WHERE org_id = ${orgId}::uuid AND expires_at < now() LIMIT 100)`;
}
