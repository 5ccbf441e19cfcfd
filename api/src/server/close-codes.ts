// Every code a realtime socket can be closed with, in one place: ours and the ones graphql-ws
// itself uses for protocol errors. A client reacts to the code, so each has one meaning; the
// realtime table of docs/using/realtime.md lists them all (api/test/unit/docs-tables.test.ts keeps it in step).
import { CloseCode as ProtocolCode } from 'graphql-ws';
import type { ErrorCode } from '../errors/error-code';

export const CLOSE_CODES = {
  /** The instance is shutting down: reconnect (elsewhere) with `after`. */
  GOING_AWAY: 1001,
  /** Draining, or the database is unavailable: retry later (graphql-ws clients do). */
  TRY_AGAIN_LATER: 1013,
  /** The socket held more buffered event bytes or events than it may: reconnect with `after`. */
  SLOW_CONSUMER: 4008,
  /** A malformed connection_init (e.g. x-org-id) or protocol message. */
  BAD_REQUEST: ProtocolCode.BadRequest,
  /** No token, a bad one, or it expired or was revoked. */
  UNAUTHORIZED: ProtocolCode.Unauthorized,
  /** Not (or no longer) a member of the organization in x-org-id. */
  FORBIDDEN: ProtocolCode.Forbidden,
  /** The client asked for a subprotocol other than graphql-transport-ws (graphql-ws). */
  SUBPROTOCOL_NOT_ACCEPTABLE: ProtocolCode.SubprotocolNotAcceptable,
  /** No connection_init in time (graphql-ws). */
  CONNECTION_INIT_TIMEOUT: ProtocolCode.ConnectionInitialisationTimeout,
  /** A subscribe reused the id of a running subscription (graphql-ws). */
  SUBSCRIBER_ALREADY_EXISTS: ProtocolCode.SubscriberAlreadyExists,
  /** Too many sockets of this user on this instance; graphql-ws also uses it for a repeated connection_init. */
  TOO_MANY_CONNECTIONS: ProtocolCode.TooManyInitialisationRequests,
  /** An unexpected server error (logged with its cause). */
  INTERNAL_ERROR: ProtocolCode.InternalServerError,
} as const;

export type CloseCodeName = keyof typeof CLOSE_CODES;

/** A refusal that closes a socket closes it with the code for its error code; others are INTERNAL_ERROR. */
export const CLOSE_CODE_FOR_ERROR: Readonly<Partial<Record<ErrorCode, number>>> = {
  UNAUTHENTICATED: CLOSE_CODES.UNAUTHORIZED,
  FORBIDDEN: CLOSE_CODES.FORBIDDEN,
  BAD_USER_INPUT: CLOSE_CODES.BAD_REQUEST,
  SERVICE_UNAVAILABLE: CLOSE_CODES.TRY_AGAIN_LATER,
};
