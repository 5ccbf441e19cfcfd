// The one registry of error codes a client can see in extensions.code, with the HTTP status
// and the meaning documented in the error table of docs/using/errors.md (a test keeps the two in step).

export const ERROR_CODES = {
  UNAUTHENTICATED: { httpStatus: 401, meaning: 'No token, or the token is malformed, expired, revoked or wrongly signed.' },
  FORBIDDEN: { httpStatus: 403, meaning: 'The caller is known but their role (or membership) does not allow this.' },
  NOT_FOUND: { httpStatus: 200, meaning: 'No such record in this organization (a record of another tenant looks exactly the same).' },
  BAD_USER_INPUT: { httpStatus: 200, meaning: 'An argument or header is invalid; extensions.field names it where there is one.' },
  CONFLICT: { httpStatus: 200, meaning: 'The write lost a race: stale expectedVersion, duplicate key, or an Idempotency-Key still in flight.' },
  RATE_LIMITED: { httpStatus: 429, meaning: 'Too many attempts; retry later.' },
  GRAPHQL_VALIDATION_FAILED: { httpStatus: 400, meaning: 'The document is not valid GraphQL for this schema or exceeds a limit (depth, aliases, cost, ...).' },
  SERVICE_UNAVAILABLE: { httpStatus: 503, meaning: 'A dependency such as the database is unavailable; retry later.' },
  INTERNAL_SERVER_ERROR: { httpStatus: 500, meaning: 'An unexpected fault; the message is masked and carries the request id to quote.' },
} as const satisfies Record<string, { httpStatus: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ALL_ERROR_CODES = Object.keys(ERROR_CODES) as ErrorCode[];
