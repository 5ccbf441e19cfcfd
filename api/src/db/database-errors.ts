// Maps database failures that a client should see as something other than a bug.
import { AppError } from '../errors/app-error';
import { isDatabaseUnavailable } from '../errors/database-unavailable';

export function translateDatabaseError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (isNotMember(error)) return new AppError('FORBIDDEN', 'You are not a member of this organization');
  if (isLockConflict(error)) {
    // Retryable by definition: PostgreSQL rolled this statement back and the request
    // transaction rolls the whole document back (request-transaction plugin).
    return new AppError('CONFLICT', 'The change collided with a concurrent one and was not applied; retry', {
      cause: error,
      details: { retryAfterSeconds: LOCK_CONFLICT_RETRY_AFTER_SECONDS },
    });
  }
  if (isDatabaseUnavailable(error) || isPoolExhausted(error)) {
    return new AppError('SERVICE_UNAVAILABLE', 'The database is unavailable; retry later', { cause: error });
  }
  if (isUniqueViolation(error)) {
    return new AppError('CONFLICT', 'A record with the same unique value already exists', { cause: error });
  }
  return error;
}

/** The SQLSTATE PostgreSQL answered, wherever Prisma or its driver adapter put it. */
export function sqlState(error: unknown): string | undefined {
  const e = error as
    | { code?: string; cause?: { code?: string; originalCode?: string }; meta?: { code?: string; driverAdapterError?: { cause?: { originalCode?: string; code?: string } } } }
    | undefined;
  const candidates = [e?.cause?.originalCode, e?.meta?.driverAdapterError?.cause?.originalCode, e?.meta?.code, e?.cause?.code, e?.code];
  return candidates.find((code): code is string => typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code));
}

/** Seconds a client is told to wait after a deadlock or serialization failure. */
export const LOCK_CONFLICT_RETRY_AFTER_SECONDS = 1;

/** 40P01 deadlock_detected, 40001 serialization_failure: the statement lost a race, not a bug. */
export function isLockConflict(error: unknown): boolean {
  const state = sqlState(error);
  return state === '40P01' || state === '40001';
}

/** A CONFLICT from a lock conflict (retry the same request), not a duplicate or stale version. */
export function isRetryableConflict(error: unknown): boolean {
  return error instanceof AppError && error.code === 'CONFLICT' && isLockConflict(error.cause);
}

/** app_pin_tenant's refusal: the caller is not a member of the organization it pins. */
export function isNotMember(error: unknown): boolean {
  return sqlState(error) === 'TN403';
}

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string; originalCode?: string } } | undefined;
  return e?.code === 'P2002' || e?.code === '23505' || e?.cause?.originalCode === '23505';
}

/**
 * The database too slow or too busy to serve: Prisma's P2028 "Unable to start a transaction in
 * the given time" (no pooled connection within the acquire timeout) or "... on an expired
 * transaction" (the transaction outlived its timeout, e.g. on a slow network), and P2037 "Too
 * many database connections opened" (PostgreSQL's 53300, or the pool's full wait queue). Other
 * P2028s (a transaction used after it was closed) are bugs, not outages.
 */
/** Driver adapter error kinds that mean the connection, not the statement, failed. */
const CONNECTION_LOSS = new Set(['ConnectionClosed', 'DatabaseNotReachable', 'SocketTimeout', 'TooManyConnections']);

function isPoolExhausted(error: unknown): boolean {
  const e = error as { code?: string; message?: string; meta?: { driverAdapterError?: { cause?: { kind?: string } } } } | undefined;
  if (e?.code === 'P2037') return true;
  // A raw query (P2010) on a connection the network dropped: the driver adapter says which kind.
  if (CONNECTION_LOSS.has(e?.meta?.driverAdapterError?.cause?.kind ?? '')) return true;
  return e?.code === 'P2028' && /Unable to start a transaction in the given time|on an expired transaction/i.test(e.message ?? '');
}
