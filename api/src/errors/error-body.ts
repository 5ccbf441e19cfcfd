// The one builder of error entries and bodies for responses that do not come out of Apollo's
// error formatting: refusals written by plugins before or after execution, and bodies written
// by Express itself. Every entry has the same shape as a formatted GraphQL error:
// { message, extensions: { code, ... } }.
import type { GraphQLFormattedError } from 'graphql';
import type { AppError } from './app-error';
import type { ErrorCode } from './error-code';

/** Extensions beside the code (which the code argument alone sets). */
export type ErrorExtensions = Readonly<Record<string, unknown>> & { readonly code?: never };

export interface ErrorBody {
  readonly errors: GraphQLFormattedError[];
}

export function errorEntry(code: ErrorCode, message: string, extensions: ErrorExtensions = {}): GraphQLFormattedError {
  return { message, extensions: { code, ...extensions } };
}

/** An AppError as a client sees it: its message and extensions (details, code, field), plus `extra`. */
export function appErrorEntry(error: AppError, extra: ErrorExtensions = {}): GraphQLFormattedError {
  // extensions.http is for Apollo, which sets the status from it; it is not for the client.
  const { http: _http, ...extensions } = error.extensions;
  return { message: error.message, extensions: { ...extensions, ...extra } };
}

/** A whole response body that is one error. */
export function errorBody(code: ErrorCode, message: string, extensions?: ErrorExtensions): ErrorBody {
  return { errors: [errorEntry(code, message, extensions)] };
}
