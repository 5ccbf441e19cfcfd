// The one registry of error codes a client can see in extensions.code. Each code carries, once:
// - httpStatus: the status when the error is the request's only outcome (field errors inside a
//   partly successful GraphQL response keep 200, as GraphQL over HTTP expects);
// - retryable: the same request may succeed when sent again later; a response carrying such a
//   code is never stored under an Idempotency-Key (the request is rolled back whole);
// - meaning: the sentence the error table of docs/using/errors.md gives (a test keeps the two in step).
// Everything else (statuses of hand-built responses, Retry-After, idempotency) derives from it.

export interface ErrorCodeSpec {
  readonly httpStatus: number;
  readonly retryable: boolean;
  readonly meaning: string;
}

export const ERROR_CODES = {
  UNAUTHENTICATED: { httpStatus: 401, retryable: false, meaning: 'No token, or the token is malformed, expired, revoked or wrongly signed.' },
  FORBIDDEN: { httpStatus: 403, retryable: false, meaning: 'The caller is known but their role (or membership) does not allow this.' },
  NOT_FOUND: { httpStatus: 200, retryable: false, meaning: 'No such record in this organization (a record of another tenant looks exactly the same).' },
  BAD_USER_INPUT: { httpStatus: 200, retryable: false, meaning: 'An argument or header is invalid; extensions.field names it where there is one.' },
  // Not retryable as such: a stale version or a duplicate stays one. The exceptions (a lock
  // conflict, an Idempotency-Key still in flight) say so with extensions.retryAfterSeconds.
  CONFLICT: { httpStatus: 200, retryable: false, meaning: 'The write lost a race: stale expectedVersion, duplicate key, or an Idempotency-Key still in flight.' },
  RATE_LIMITED: { httpStatus: 429, retryable: true, meaning: 'Too many attempts; retry later.' },
  GRAPHQL_VALIDATION_FAILED: { httpStatus: 400, retryable: false, meaning: 'The document is not valid GraphQL for this schema or exceeds a limit (depth, aliases, cost, ...).' },
  SERVICE_UNAVAILABLE: { httpStatus: 503, retryable: true, meaning: 'A dependency such as the database is unavailable; retry later.' },
  INTERNAL_SERVER_ERROR: { httpStatus: 500, retryable: true, meaning: 'An unexpected fault; the message is masked and carries the request id to quote.' },
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ALL_ERROR_CODES = Object.keys(ERROR_CODES) as ErrorCode[];

/** Seconds a client is told to wait (Retry-After) after a retryable refusal with no better estimate. */
export const RETRY_AFTER_SECONDS = 1;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code].httpStatus;
}

/** Whether the same request may succeed later (an unknown code counts as INTERNAL_SERVER_ERROR). */
export function isRetryable(code: unknown): boolean {
  return ERROR_CODES[isErrorCode(code) ? code : 'INTERNAL_SERVER_ERROR'].retryable;
}

/**
 * The status of a request that could not run at all (its body, variables or document refused
 * before execution): GraphQL over HTTP answers those 400, also for a code that is 200 as a
 * field error.
 */
export function requestErrorStatus(code: ErrorCode): number {
  const status = httpStatusOf(code);
  return status === 200 ? 400 : status;
}
