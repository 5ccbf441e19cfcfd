// connection_init on the graphql-ws server: the same authentication and membership rules as
// HTTP, from connectionParams; the per-user connection cap (per instance); the socket's
// lifetime tied to its token's and to its membership; and a close code for every refusal.
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { AppServices } from '../app-services';
import type { Caller } from '../auth/caller';
import { AppError } from '../errors/app-error';
import { isDatabaseUnavailable } from '../errors/database-errors';
import type { Context } from '../graphql/context';
import { createContextInner } from '../graphql-server/create-context';
import { MembershipCheck, isMembershipLost } from '../modules/realtime/membership';
import { CLOSE_CODE_FOR_ERROR, CLOSE_CODES } from './close-codes';

export interface Connection {
  /** Set once connection_init is accepted. */
  context?: Context;
  /** The organization and user the socket reads as (with x-org-id), looked up afresh each time. */
  membership?: MembershipCheck;
  userId?: string;
  readonly subscriptions: Set<string>;
  timers: NodeJS.Timeout[];
}

export class ConnectionRegistry {
  private readonly perUser = new Map<string, number>();

  constructor(private readonly maxPerUser: number) {}

  /** Counts the connection for its user, or refuses it at the cap. */
  admit(connection: Connection, userId: string): boolean {
    const open = this.perUser.get(userId) ?? 0;
    if (open >= this.maxPerUser) return false;
    this.perUser.set(userId, open + 1);
    connection.userId = userId;
    return true;
  }

  release(connection: Connection): void {
    for (const timer of connection.timers) clearTimeout(timer);
    connection.timers = [];
    const userId = connection.userId;
    if (userId === undefined) return;
    connection.userId = undefined;
    const open = (this.perUser.get(userId) ?? 1) - 1;
    if (open > 0) this.perUser.set(userId, open);
    else this.perUser.delete(userId);
  }
}

/** The same outcome HTTP would give, as a close code a graphql-ws client understands. */
export function closeFor(error: unknown): [code: number, reason: string] {
  if (error instanceof AppError) {
    const code = CLOSE_CODE_FOR_ERROR[error.code];
    if (code !== undefined) return [code, refusalReason(error)];
  }
  // "Try again later": graphql-ws clients retry it.
  if (isDatabaseUnavailable(error)) return [CLOSE_CODES.TRY_AGAIN_LATER, 'SERVICE_UNAVAILABLE: the database is unavailable; retry later'];
  return [CLOSE_CODES.INTERNAL_ERROR, 'Internal server error'];
}

/**
 * The socket lives as long as its credentials; then the client re-authenticates. An access
 * token ends at its expiry. An API token may be revoked (or expire) at any moment, so it is
 * checked again every `recheckMs`; a database hiccup during a check keeps the socket.
 */
function bindToCredentials(socket: WebSocket, caller: Caller, recheck: () => Promise<unknown>, recheckMs: number): NodeJS.Timeout | undefined {
  let timer: NodeJS.Timeout | undefined;
  if (caller.via === 'access-token' && caller.expiresAt !== undefined) {
    timer = setTimeout(() => socket.close(CLOSE_CODES.UNAUTHORIZED, 'Access token expired'), caller.expiresAt * 1000 - Date.now());
  } else if (caller.via === 'api-token') {
    timer = setInterval(() => {
      recheck().catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'UNAUTHENTICATED') socket.close(CLOSE_CODES.UNAUTHORIZED, 'API token revoked or expired');
      });
    }, recheckMs);
  }
  timer?.unref();
  return timer;
}

/** The reason a socket closes with for a refusal (e.g. its membership found gone): code and message. */
function refusalReason(error: AppError): string {
  return `${error.code}: ${error.message}`.slice(0, 120);
}

/**
 * The socket lives as long as its membership, whatever the credential: every `recheckMs` the
 * membership is looked up and a removed member's socket closes with 4403 even if it is idle
 * (subscribes and event batches check it too). A database hiccup during a check keeps the socket.
 */
function bindToMembership(socket: WebSocket, membership: MembershipCheck, recheckMs: number): NodeJS.Timeout {
  const timer = setInterval(() => {
    membership.current().catch((error: unknown) => {
      if (isMembershipLost(error)) socket.close(CLOSE_CODES.FORBIDDEN, refusalReason(error as AppError));
    });
  }, recheckMs);
  timer.unref();
  return timer;
}

export interface ConnectionInit {
  readonly socket: WebSocket;
  readonly connection: Connection;
  readonly connectionParams: Readonly<Record<string, unknown>> | undefined;
  readonly services: AppServices;
  readonly registry: ConnectionRegistry;
  readonly isDraining: boolean;
}

/** true: acknowledge the socket; false: it has been closed with the reason. */
export async function acceptConnection(init: ConnectionInit): Promise<boolean> {
  const { socket, connection, services, registry } = init;
  if (init.isDraining) {
    socket.close(CLOSE_CODES.TRY_AGAIN_LATER, 'Draining: reconnect');
    return false;
  }
  const param = (name: string) => {
    const entry = Object.entries(init.connectionParams ?? {}).find(([key]) => key.toLowerCase() === name);
    return typeof entry?.[1] === 'string' ? entry[1] : undefined;
  };
  const orgId = param('x-org-id');
  const context = createContextInner({ services, requestId: randomUUID(), authorization: param('authorization'), orgId });
  try {
    const caller = await context.caller();
    let membership: MembershipCheck | undefined;
    if (orgId !== undefined) {
      // The membership check runs in the context's request transaction: end it now, or the
      // socket would hold a pooled connection for its whole life.
      try {
        const tenant = await context.tenant();
        membership = new MembershipCheck(services.tenancy, { orgId: tenant.orgId, userId: tenant.userId });
      } finally {
        await context.finish();
      }
    }
    // Gone while we checked: admitting it now would leak its slot.
    if (socket.readyState !== socket.OPEN) return false;
    if (!registry.admit(connection, caller.userId)) {
      socket.close(CLOSE_CODES.TOO_MANY_CONNECTIONS, `At most ${services.config.realtime.maxConnectionsPerUser} connections per user`);
      return false;
    }
    connection.context = context;
    connection.membership = membership;
    const expiry = bindToCredentials(socket, caller, () => services.callers.resolve(param('authorization')), services.config.realtime.apiTokenRecheckMs);
    if (expiry) connection.timers.push(expiry);
    if (membership) connection.timers.push(bindToMembership(socket, membership, services.config.realtime.membershipRecheckMs));
    return true;
  } catch (error) {
    const [code, reason] = closeFor(error);
    if (code === CLOSE_CODES.INTERNAL_ERROR) services.logger.error({ err: error }, 'connection_init failed');
    socket.close(code, reason);
    return false;
  }
}
