// The error every service throws for an expected refusal. Anything else that escapes a
// resolver is a bug and gets masked as INTERNAL_SERVER_ERROR by the error mapper.
import { ERROR_CODES, type ErrorCode } from './error-code';

export interface AppErrorOptions {
  /** The input field at fault, reported as extensions.field. */
  readonly field?: string;
  /** Further machine-readable details (e.g. currentVersion on CONFLICT). */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

export class AppError extends Error {
  readonly field?: string;
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(readonly code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.field = options.field;
    this.details = options.details;
  }

  /** graphql-js copies an original error's `extensions` onto the GraphQLError it wraps. */
  get extensions(): Record<string, unknown> {
    const status = ERROR_CODES[this.code].httpStatus;
    return {
      ...this.details,
      code: this.code,
      ...(this.field === undefined ? {} : { field: this.field }),
      ...(status === 200 ? {} : { http: { status } }),
    };
  }
}

/** Records of another tenant must look exactly like missing ones: one message per kind. */
export function notFound(entity: string, field?: string): AppError {
  return new AppError('NOT_FOUND', `${entity} not found`, { field });
}

export function badInput(field: string, message: string): AppError {
  return new AppError('BAD_USER_INPUT', message, { field });
}

export function forbidden(message = 'Your role does not allow this'): AppError {
  return new AppError('FORBIDDEN', message);
}

export function conflict(message: string, details?: Record<string, unknown>): AppError {
  return new AppError('CONFLICT', message, { details });
}
