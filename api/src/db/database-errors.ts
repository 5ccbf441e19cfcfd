// Maps database failures that a client should see as something other than a bug.
import { AppError } from '../errors/app-error';
import { isDatabaseUnavailable } from '../errors/database-unavailable';

export function translateDatabaseError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (isDatabaseUnavailable(error)) {
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
