// The tenant pin folded into BEGIN: one round trip instead of two for every request
// transaction. Prisma's driver adapter opens an interactive transaction by sending a bare
// `BEGIN` on the connection it checked out; while a pinned transaction is being started (an
// AsyncLocalStorage scope around prisma.$transaction), that BEGIN goes out as
// `BEGIN; SELECT app_pin_tenant('<org>', '<user>', <lock>)` in one simple-protocol message.
// The simple protocol takes no parameters, so the values are literals: both must be UUIDs
// (or empty), checked here, and are quoted with the driver's escaping besides.
//
// Isolation is unchanged: the pin is set_config(..., true), local to the transaction that the
// same message opened, so COMMIT or ROLLBACK ends it before the connection returns to the pool.
// When the pin refuses (a non-member), the message's transaction is rolled back and a fresh
// one begun in the same round trip, and the refusal is thrown inside the transaction, so
// Prisma rolls back and releases the connection exactly as when the pin was a statement of its
// own. Whenever the fold did not happen (a BEGIN outside the scope), the pin runs as a statement.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pool, PoolClient, QueryResult } from 'pg';
import type { PrismaClient } from '../generated/prisma/client';
import type { Role } from '../generated/prisma/enums';
import type { Tx } from './tx';

export interface Pin {
  readonly orgId: string;
  readonly userId: string;
  /** Share-lock the caller's membership row until the transaction ends (mutations). */
  readonly lock: boolean;
}

interface PendingPin {
  readonly pin: Pin;
  /** Set once a BEGIN carried the pin; later BEGINs in the scope are left alone. */
  folded: boolean;
  role?: Role | null;
  refusal?: unknown;
  /** The connection whose BEGIN carried the pin: the transaction's own. */
  connection?: PoolClient;
  /** An open, pinned transaction's connection for prisma.$transaction to take over (adoptTransaction). */
  adopt?: PoolClient;
  /** Taken over: its BEGIN (already run) is answered without a round trip. */
  adopted?: PoolClient;
}

const NO_PIN: Pin = { orgId: '', userId: '', lock: false };
/** What BEGIN answers, without a round trip, for a transaction that is already open (one object: counters can tell it apart). */
export const ALREADY_BEGUN: Promise<unknown> = Promise.resolve(Object.freeze({ command: 'BEGIN', rowCount: null, oid: 0, rows: [], fields: [] }));

const pending = new AsyncLocalStorage<PendingPin>();
const UUID_OR_EMPTY = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$/i;
const WRAPPED = Symbol('pinnedBegin');

/** The values may travel as literals: nothing but a UUID or the empty string. */
export function literalSafe(pin: Pin): boolean {
  return UUID_OR_EMPTY.test(pin.orgId) && UUID_OR_EMPTY.test(pin.userId);
}

function pinSql(client: PoolClient, pin: Pin): string {
  return `SELECT app_pin_tenant(${client.escapeLiteral(pin.orgId)}, ${client.escapeLiteral(pin.userId)}, ${pin.lock ? 'true' : 'false'}) AS role`;
}

function isBegin(config: unknown): config is { text: string; values?: unknown[] } {
  const c = config as { text?: unknown; values?: unknown[]; name?: unknown } | null;
  return typeof c === 'object' && c !== null && c.text === 'BEGIN' && !c.name && (c.values === undefined || c.values.length === 0);
}

/** A failure the server answered (the connection is still usable), not a lost connection. */
function answeredByServer(error: unknown): boolean {
  const e = error as { code?: unknown; severity?: unknown } | null;
  return typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string';
}

async function foldedBegin(client: PoolClient, send: (config: object) => Promise<unknown>, config: object, state: PendingPin): Promise<QueryResult> {
  state.folded = true;
  state.connection = client;
  try {
    const results = (await send({ ...config, text: `BEGIN; ${pinSql(client, state.pin)}` })) as QueryResult[];
    const row = results[1]?.rows[0] as unknown[] | Record<string, unknown> | undefined;
    state.role = ((Array.isArray(row) ? row[0] : row?.role) ?? null) as Role | null;
    return results[0]!;
  } catch (error) {
    if (!answeredByServer(error)) throw error;
    // The pin refused: BEGIN ran, the transaction is aborted. Start a clean one for Prisma to
    // roll back, and report the refusal from inside it.
    state.refusal = error;
    const results = (await send({ ...config, text: 'ROLLBACK; BEGIN' })) as QueryResult[];
    return results[1]!;
  }
}

function wrapClient(client: PoolClient): void {
  const tagged = client as PoolClient & { [WRAPPED]?: true };
  if (tagged[WRAPPED]) return;
  tagged[WRAPPED] = true;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const send = (config: object) => query(config) as Promise<unknown>;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const state = pending.getStore();
    if (state && args.length === 1 && isBegin(args[0])) {
      if (state.adopted === client) {
        state.adopted = undefined;
        return ALREADY_BEGUN;
      }
      if (!state.folded) return foldedBegin(client, send, args[0], state);
    }
    return query(...args);
  };
}

/**
 * Lets pinnedTransaction fold its pin into the BEGIN of this pool's connections, and
 * adoptTransaction hand an open transaction's connection to Prisma (the driver adapter checks
 * out a connection with pool.connect(), then sends BEGIN on it).
 */
export function foldPinsIntoBegin(pool: Pool): void {
  pool.on('connect', wrapClient);
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
  (pool as { connect: unknown }).connect = (...args: unknown[]) => {
    const state = pending.getStore();
    if (args.length > 0 || !state?.adopt) return connect(...args);
    const client = state.adopt;
    state.adopt = undefined;
    state.adopted = client;
    return Promise.resolve(client);
  };
}

/**
 * BEGIN with the pin on a connection checked out directly (db/open-transaction.ts), folded as
 * for Prisma's transactions. `refusal` is set when the pin refused: the connection then holds a
 * fresh, unpinned transaction, for the caller to roll back.
 */
export async function beginPinned(client: PoolClient, pin: Pin): Promise<{ role: Role | null; refusal?: unknown }> {
  const state: PendingPin = { pin, folded: !literalSafe(pin) };
  await pending.run(state, () => client.query({ text: 'BEGIN' }));
  if (state.refusal !== undefined) return { role: null, refusal: state.refusal };
  if (state.role !== undefined) return { role: state.role };
  // Not folded (a connection from another pool, or values that are not literal-safe): the pin
  // as a statement of its own. A refusal raises here, and the transaction is aborted.
  const { rows } = await client.query<{ role: Role | null }>('SELECT app_pin_tenant($1, $2, $3) AS role', [pin.orgId, pin.userId, pin.lock]);
  return { role: rows[0]?.role ?? null };
}

/**
 * prisma.$transaction over a transaction that is already open and pinned on `connection`: no
 * connection is checked out and no BEGIN is sent; from here Prisma ends the transaction and
 * returns the connection to the pool, as for one it began itself.
 */
export function adoptTransaction<T>(prisma: PrismaClient, connection: PoolClient, fn: (tx: Tx) => Promise<T>, options: { maxWait: number; timeout: number }): Promise<T> {
  const state: PendingPin = { pin: NO_PIN, folded: true, adopt: connection };
  return pending.run(state, () =>
    prisma.$transaction(async (tx) => {
      // Both cleared once the adapter took the connection and its BEGIN was answered.
      if (state.adopt !== undefined || state.adopted !== undefined) throw new Error('Prisma did not take the open transaction over');
      return fn(tx);
    }, options),
  );
}

/**
 * prisma.$transaction with the tenant pinned first: `fn` receives the caller's role (null when
 * no organization is pinned) and, when the pin travelled with BEGIN, the transaction's
 * connection. A non-member's pin throws, as app_pin_tenant does.
 */
export function pinnedTransaction<T>(
  prisma: PrismaClient,
  pin: Pin,
  fn: (tx: Tx, role: Role | null, connection: PoolClient | undefined) => Promise<T>,
  options: { maxWait: number; timeout: number },
): Promise<T> {
  const state: PendingPin = { pin, folded: !literalSafe(pin) };
  return pending.run(state, () =>
    prisma.$transaction(async (tx) => {
      if (state.refusal !== undefined) throw state.refusal;
      if (state.role !== undefined) return fn(tx, state.role, state.connection);
      // The BEGIN went out without the pin (values not literal-safe, or not through a wrapped
      // connection): pin with a statement of its own, and let no later BEGIN carry it.
      state.folded = true;
      const [row] = await tx.$queryRaw<{ role: Role | null }[]>`SELECT app_pin_tenant(${pin.orgId}, ${pin.userId}, ${pin.lock}) AS role`;
      return fn(tx, row?.role ?? null, undefined);
    }, options),
  );
}
