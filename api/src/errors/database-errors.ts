// The one place that reads a thrown database error. Whatever layer threw it (pg, the Prisma
// driver adapter, Prisma's engine, the pool), classifyDatabaseError says what kind of failure it
// is; translateDatabaseError turns the kinds a client should see as something other than a bug
// into AppErrors. Nothing else looks at SQLSTATEs, Prisma codes or driver messages.
import { AppError } from './app-error';
import { RETRY_AFTER_SECONDS } from './error-code';

export type DatabaseErrorKind =
  /** The database cannot be reached or has no connection for us now: network, shutdown, pool. */
  | 'unavailable'
  /** A statement or transaction ran out of its time. */
  | 'timeout'
  /** A deadlock or serialization failure: the statement lost a race; the same request may succeed. */
  | 'conflict-retryable'
  /** An integrity constraint refused the row (SQLSTATE class 23); see `constraint`. */
  | 'constraint'
  /** app_pin_tenant's refusal: the caller is not a member of the organization it pins. */
  | 'not-member'
  /** A value that does not cast to its type (SQLSTATE class 22). */
  | 'invalid-data'
  | 'unknown';

export type ConstraintKind = 'unique' | 'foreign-key' | 'not-null' | 'check' | 'exclusion' | 'other';

export interface DatabaseErrorClass {
  readonly kind: DatabaseErrorKind;
  /** The first SQLSTATE found in the error, where PostgreSQL answered one. */
  readonly sqlState?: string;
  /** Set for kind 'constraint'. */
  readonly constraint?: ConstraintKind;
}

/** too_many_connections: also what our own pool answers when its wait queue is full. */
export const SQLSTATE_TOO_MANY_CONNECTIONS = '53300';

/** Socket errors of the connection to the database. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);
/** admin/crash shutdown, cannot connect now, too many connections, connection exceptions (08). */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', SQLSTATE_TOO_MANY_CONNECTIONS, '08000', '08003', '08006', '08001', '08004']);
/** query_canceled: the statement timeout. */
const TIMEOUT_SQLSTATES = new Set(['57014']);
/** deadlock_detected, serialization_failure. */
const CONFLICT_SQLSTATES = new Set(['40P01', '40001']);
/** Prisma: cannot reach, timed out reaching, server closed the connection, pool timeout, too many connections. */
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1017', 'P2024', 'P2037']);
/** Driver adapter error kinds that mean the connection, not the statement, failed. */
const CONNECTION_LOSS_KINDS = new Set(['ConnectionClosed', 'DatabaseNotReachable', 'SocketTimeout', 'TooManyConnections']);
const UNAVAILABLE_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /Connection terminated/i,
  /connection.*(closed|refused|ended)/i,
  /Client has encountered a connection error/i,
  /Can't reach database server/i,
  /pool (is )?(closed|ended)/i,
];
const TIMEOUT_MESSAGES = [
  /canceling statement due to statement timeout/i,
  // db/connection-reads.ts: a read after the transaction's timeout gave its connection back.
  /request transaction ended before this read/i,
];
const CONSTRAINTS: Readonly<Record<string, ConstraintKind>> = {
  '23505': 'unique',
  P2002: 'unique',
  '23503': 'foreign-key',
  P2003: 'foreign-key',
  '23502': 'not-null',
  P2011: 'not-null',
  '23514': 'check',
  '23P01': 'exclusion',
};
const PIN_REFUSED = 'TN403';
const MAX_DEPTH = 5;

interface Facts {
  /** SQLSTATEs and Prisma codes, outermost first. */
  readonly codes: string[];
  readonly kinds: string[];
  readonly messages: string[];
}

/** Everything the layers wrapped around one another say: the error, its causes, the adapter's error. */
function factsOf(error: unknown): Facts {
  const facts: Facts = { codes: [], kinds: [], messages: [] };
  const visit = (node: unknown, depth: number) => {
    if (!node || typeof node !== 'object' || depth > MAX_DEPTH) return;
    const e = node as { code?: unknown; originalCode?: unknown; kind?: unknown; message?: unknown; cause?: unknown; meta?: { code?: unknown; driverAdapterError?: unknown } };
    for (const code of [e.originalCode, e.code, e.meta?.code]) if (typeof code === 'string') facts.codes.push(code);
    if (typeof e.kind === 'string') facts.kinds.push(e.kind);
    if (typeof e.message === 'string') facts.messages.push(e.message);
    visit(e.meta?.driverAdapterError, depth + 1);
    visit(e.cause, depth + 1);
  };
  visit(error, 0);
  return facts;
}

const isSqlState = (code: string) => /^[0-9A-Z]{5}$/.test(code) && !/^P\d{4}$/.test(code);

export function classifyDatabaseError(error: unknown): DatabaseErrorClass {
  const { codes, kinds, messages } = factsOf(error);
  const sqlState = codes.find(isSqlState);
  const has = (set: ReadonlySet<string>) => codes.some((code) => set.has(code));
  const says = (patterns: readonly RegExp[]) => messages.some((message) => patterns.some((pattern) => pattern.test(message)));
  const base = sqlState === undefined ? {} : { sqlState };
  if (codes.includes(PIN_REFUSED)) return { ...base, kind: 'not-member' };
  if (has(CONFLICT_SQLSTATES)) return { ...base, kind: 'conflict-retryable' };
  // Prisma's P2028 is "Unable to start a transaction in the given time" (no pooled connection
  // in time) or "... on an expired transaction" (it outlived its timeout); other P2028s (a
  // transaction used after it was closed) are bugs.
  const transactionApi = codes.includes('P2028');
  if (
    has(NETWORK_CODES) ||
    has(UNAVAILABLE_SQLSTATES) ||
    has(UNAVAILABLE_PRISMA_CODES) ||
    kinds.some((kind) => CONNECTION_LOSS_KINDS.has(kind)) ||
    (transactionApi && says([/Unable to start a transaction in the given time/i])) ||
    says(UNAVAILABLE_MESSAGES)
  ) {
    return { ...base, kind: 'unavailable' };
  }
  if (has(TIMEOUT_SQLSTATES) || (transactionApi && says([/on an expired transaction/i])) || says(TIMEOUT_MESSAGES)) return { ...base, kind: 'timeout' };
  const constraint = codes.map((code) => CONSTRAINTS[code]).find((kind) => kind !== undefined);
  if (constraint || sqlState?.startsWith('23')) return { ...base, kind: 'constraint', constraint: constraint ?? 'other' };
  if (sqlState?.startsWith('22')) return { ...base, kind: 'invalid-data' };
  return { ...base, kind: 'unknown' };
}

/** The database cannot serve this now (unreachable, out of connections, or out of time): retry later. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const { kind } = classifyDatabaseError(error);
  return kind === 'unavailable' || kind === 'timeout';
}

export function isUniqueViolation(error: unknown): boolean {
  const found = classifyDatabaseError(error);
  return found.kind === 'constraint' && found.constraint === 'unique';
}

/** A CONFLICT from a lock conflict (retry the same request), not a duplicate or stale version. */
export function isRetryableConflict(error: unknown): boolean {
  return error instanceof AppError && error.code === 'CONFLICT' && classifyDatabaseError(error.cause).kind === 'conflict-retryable';
}

/** The AppError a client sees for a database failure that is not a bug; anything else unchanged. */
export function translateDatabaseError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const found = classifyDatabaseError(error);
  switch (found.kind) {
    case 'not-member':
      return new AppError('FORBIDDEN', 'You are not a member of this organization');
    case 'conflict-retryable':
      // PostgreSQL rolled this statement back and the request transaction rolls the whole
      // document back (request-transaction plugin).
      return new AppError('CONFLICT', 'The change collided with a concurrent one and was not applied; retry', {
        cause: error,
        details: { retryAfterSeconds: RETRY_AFTER_SECONDS },
      });
    case 'unavailable':
    case 'timeout':
      return new AppError('SERVICE_UNAVAILABLE', 'The database is unavailable; retry later', { cause: error });
    case 'constraint':
      return found.constraint === 'unique' ? new AppError('CONFLICT', 'A record with the same unique value already exists', { cause: error }) : error;
    case 'invalid-data':
    case 'unknown':
      return error;
  }
}
