// Turns whatever a request produced into a client-safe GraphQL error: every error leaves
// with one of the registered codes; unexpected ones are masked and carry the request id.
import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { AppError } from './app-error';
import type { ErrorCode } from './error-code';
import { isDatabaseUnavailable } from './database-errors';
import { appErrorEntry, errorEntry } from './error-body';

/** Codes graphql-js, Apollo and type-graphql emit, folded into our registry. */
const FOREIGN_CODES: Readonly<Record<string, ErrorCode>> = {
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  BAD_REQUEST: 'BAD_USER_INPUT',
  OPERATION_RESOLUTION_FAILURE: 'BAD_USER_INPUT',
  PERSISTED_QUERY_NOT_FOUND: 'BAD_USER_INPUT',
  PERSISTED_QUERY_NOT_SUPPORTED: 'BAD_USER_INPUT',
};

export interface MappedError {
  readonly formatted: GraphQLFormattedError;
  /** Set when the error was unexpected: the caller should log `cause`. */
  readonly unexpected?: unknown;
}

function unwrap(error: unknown): unknown {
  let current = error;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  return current;
}

export function mapError(formatted: GraphQLFormattedError, error: unknown, requestId: string | undefined): MappedError {
  const original = unwrap(error);
  if (original instanceof AppError) {
    return { formatted: { ...formatted, ...appErrorEntry(original) } };
  }
  if (isDatabaseUnavailable(original)) {
    return {
      formatted: { ...errorEntry('SERVICE_UNAVAILABLE', 'The database is unavailable; retry later', { requestId }), path: formatted.path },
      unexpected: original,
    };
  }
  // Only the GraphQL machinery's own errors keep their (folded) code; a plain Error thrown
  // from a resolver is a bug whatever Apollo labelled it.
  const foreign = FOREIGN_CODES[String(formatted.extensions?.code ?? '')];
  if (foreign && (original === undefined || original instanceof GraphQLError)) {
    return { formatted: { ...formatted, extensions: { ...stripStack(formatted.extensions), code: foreign } } };
  }
  return {
    formatted: {
      ...errorEntry('INTERNAL_SERVER_ERROR', `Internal server error (request ${requestId ?? 'unknown'})`, { requestId }),
      locations: formatted.locations,
      path: formatted.path,
    },
    unexpected: original ?? error,
  };
}

function stripStack(extensions: GraphQLFormattedError['extensions']): Record<string, unknown> {
  const { stacktrace: _stack, exception: _exception, ...rest } = (extensions ?? {}) as Record<string, unknown>;
  return rest;
}
