// Maps database failures that a client should see as something other than a bug.
import { AppError } from '../errors/app-error';
import { isDatabaseUnavailable } from '../errors/database-unavailable';

export function translateDatabaseError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (isDatabaseUnavailable(error) || isPoolExhausted(error)) {
    return new AppError('SERVICE_UNAVAILABLE', 'The database is unavailable; retry later', { cause: error });
  }
  if (isUniqueViolation(error)) {
    return new AppError('CONFLICT', 'A record with the same unique value already exists', { cause: error });
  }
  return error;
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
