// graphql-ws on the HTTP server's own port and path (/graphql), for subscriptions only
// (queries and mutations keep to HTTP, with its logging, idempotency and transactions).
// A socket authenticates at connection_init, with the same headers and rules as HTTP carried
// in connectionParams; its membership is looked up again on every subscribe, every batch of
// events and on a timer. It is bounded every way a long-lived socket can grow: a
// per-user connection cap, a per-connection subscription cap, a per-subscriber send buffer,
// and pings below the load balancer's 60 s idle timeout.
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, getOperationAST, parse, specifiedRules, validate, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { handleProtocols, makeServer, type SubscribePayload } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AppServices } from '../app-services';
import type { Database } from '../db/prisma-client';
import { AppError } from '../errors/app-error';
import { mapError } from '../errors/error-mapper';
import { httpStatusOf } from '../errors/error-code';
import { limitProtections } from '../graphql-server/plugins/limits';
import { startRealtimeRuntime, type RealtimeRuntime } from '../modules/realtime/realtime-runtime';
import type { RealtimeContext } from '../modules/realtime/realtime.resolver';
import { subscribeWithFreshContexts } from '../modules/realtime/subscription-execution';
import type { HubStats } from '../modules/realtime/event-hub';
import { InstanceBudget, type SocketBudget } from '../modules/realtime/byte-budget';
import { isMembershipLost } from '../modules/realtime/membership';
import type { Lifecycle } from './health';
import { CLOSE_CODES } from './close-codes';
import { ConnectionRegistry, acceptConnection, closeFor, type Connection } from './websocket-connection';

/** How long a cut-off client gets to read its way to the close frame, as long as it keeps reading. */
const SLOW_CONSUMER_CLOSE_GRACE_MS = 10_000;

export interface RealtimeStats extends HubStats {
  readonly connections: number;
  readonly slowConsumersClosed: number;
  /** Event bytes all sockets hold now, and the most they ever held. */
  readonly bufferedBytes: number;
  readonly peakBufferedBytes: number;
}

export interface RealtimeServer {
  readonly runtime: RealtimeRuntime;
  stats(): RealtimeStats;
  /** Closes every socket (1001, clients reconnect elsewhere) and the listener. */
  close(): Promise<void>;
}

export interface RealtimeServerOptions {
  readonly httpServer: Server;
  readonly schema: GraphQLSchema;
  readonly services: AppServices;
  /** Its URL for the LISTEN connection. */
  readonly database: Database;
  readonly lifecycle?: Lifecycle;
}

type Extra = { readonly socket: WebSocket; readonly request: IncomingMessage; readonly connection: Connection; readonly budget: SocketBudget };

const MAX_MESSAGE_BYTES = 64 * 1024;

function rejectUpgrade(socket: Duplex, status: number): void {
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function validationError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
}

export async function startRealtimeServer(options: RealtimeServerOptions): Promise<RealtimeServer> {
  const { httpServer, schema, services, database, lifecycle } = options;
  const { logger, config, tenancy } = services;
  const limits = config.realtime;
  const protections = limitProtections(config.limits, config.hardening);
  // HTTP hides suggestions with an Apollo plugin; graphql-js does it here (validation and variables).
  const hideSuggestions = !config.hardening.fieldSuggestions;
  const runtime = await startRealtimeRuntime({ database, tenancy, logger });
  const registry = new ConnectionRegistry(limits.maxConnectionsPerUser);
  const instanceBudget = new InstanceBudget(limits.instanceBufferBytes);
  let slowConsumersClosed = 0;

  /** Called once the socket's budget is cut off (its subscriptions have let go of everything). */
  const closeSlowConsumer = (socket: WebSocket) => {
    if (socket.readyState !== socket.OPEN) return;
    slowConsumersClosed += 1;
    socket.close(CLOSE_CODES.SLOW_CONSUMER, 'Slow consumer: send buffer full; resubscribe with after');
    // The close frame waits behind what was already written. A client that stopped reading
    // may never get to it: drop the socket once a grace period passes with no progress, but
    // let one that is still draining (under load, slowly) read its way to the close code.
    // Once everything, the close frame included, is in the kernel's hands there is no progress
    // left to see: the closing handshake's own timeout (ws: 30 s) decides from there.
    let pending = socket.bufferedAmount;
    const watch = setInterval(() => {
      if (socket.readyState === socket.CLOSED) return clearInterval(watch);
      const now = socket.bufferedAmount;
      const isDraining = now < pending;
      pending = now;
      if (now === 0) return clearInterval(watch);
      if (isDraining) return;
      clearInterval(watch);
      socket.terminate();
    }, SLOW_CONSUMER_CLOSE_GRACE_MS);
    watch.unref();
  };

  const formatErrors = (errors: readonly GraphQLError[], requestId: string): GraphQLFormattedError[] =>
    errors.map((error) => {
      const mapped = mapError(error.toJSON(), error, requestId);
      if (mapped.unexpected !== undefined) logger.error({ err: mapped.unexpected, requestId }, 'unexpected error in a subscription');
      return mapped.formatted;
    });

  /** Membership gone (4403), or not checkable (the database: 1013): the socket closes. */
  const closeForAccess = (socket: WebSocket, error: unknown) => {
    if (socket.readyState !== socket.OPEN) return;
    const [code, reason] = closeFor(error);
    if (code === CLOSE_CODES.INTERNAL_ERROR) logger.error({ err: error }, 'realtime membership check failed');
    socket.close(code, reason);
  };

  const prepare = async (extra: Extra, id: string, payload: SubscribePayload) => {
    const { connection, socket, budget } = extra;
    if (budget.isCutOff) return [validationError('The socket is closing')];
    let document: DocumentNode;
    try {
      document = parse(payload.query, protections.parseOptions);
    } catch (error) {
      return [validationError((error as Error).message)];
    }
    let problems: readonly GraphQLError[];
    try {
      problems = validate(schema, document, [...specifiedRules, ...protections.validationRules], { hideSuggestions });
    } catch (error) {
      problems = [validationError((error as Error).message)];
    }
    if (problems.length > 0) return problems.map((problem) => validationError(problem.message));
    const operation = getOperationAST(document, payload.operationName);
    if (!operation) return [validationError('Unable to identify the operation to run')];
    const refuse = (error: AppError) => [new GraphQLError(error.message, { originalError: error })];
    if (operation.operation !== 'subscription') {
      return refuse(new AppError('BAD_USER_INPUT', 'Only subscriptions run over WebSocket; send queries and mutations with HTTP POST /graphql'));
    }
    if (connection.subscriptions.size >= limits.maxSubscriptionsPerConnection) {
      return refuse(new AppError('RATE_LIMITED', `At most ${limits.maxSubscriptionsPerConnection} subscriptions per connection`));
    }
    connection.subscriptions.add(id);
    const { membership } = connection;
    let base = connection.context!;
    if (membership) {
      // The membership and role as of this subscribe, not as of connection_init.
      try {
        const tenant = Promise.resolve(await membership.current());
        base = { ...base, tenant: () => tenant };
      } catch (error) {
        connection.subscriptions.delete(id);
        if (isMembershipLost(error)) closeForAccess(socket, error);
        return refuse(error instanceof AppError ? error : new AppError('SERVICE_UNAVAILABLE', 'The membership could not be checked; retry later'));
      }
    }
    const contextValue: RealtimeContext = {
      ...base,
      realtime: {
        hub: runtime.hub,
        notifications: runtime.notifications,
        // Everything the socket's subscriptions hold goes at once, not when the close handshake ends.
        link: { bufferLimit: limits.sendBufferEvents, budget, onOverflow: () => budget.cutOff() },
        membership,
        onAccessLost: (error) => closeForAccess(socket, error),
      },
    };
    return { schema, document, operationName: payload.operationName, variableValues: payload.variables ?? undefined, contextValue, hideSuggestions };
  };

  const server = makeServer<Record<string, unknown> | undefined, Extra>({
    schema,
    subscribe: subscribeWithFreshContexts(),
    onConnect: ({ connectionParams, extra }) =>
      acceptConnection({ ...extra, connectionParams, services, registry, isDraining: lifecycle?.isDraining ?? false }),
    onSubscribe: ({ extra }, id, payload) => prepare(extra, id, payload),
    onNext: ({ extra }, _id, _payload, _args, result) =>
      result.errors ? { ...result, errors: formatErrors(result.errors, extra.connection.context?.requestId ?? 'ws') } : undefined,
    onError: ({ extra }, id, _payload, errors) => {
      extra.connection.subscriptions.delete(id);
      return formatErrors(errors, extra.connection.context?.requestId ?? 'ws');
    },
    onComplete: ({ extra }, id) => {
      extra.connection.subscriptions.delete(id);
    },
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, handleProtocols });
  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    const connection: Connection = { subscriptions: new Set(), timers: [] };
    // Cut off by the instance's budget (it held the most) or its own: the same 4008.
    const budget = instanceBudget.open(limits.socketBufferBytes, () => closeSlowConsumer(socket));
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', async (data: Buffer) => {
            try {
              await handle(String(data));
            } catch (error) {
              logger.error({ err: error }, 'graphql-ws message handling failed');
              socket.close(CLOSE_CODES.INTERNAL_ERROR, 'Internal server error');
            }
          }),
      },
      { socket, request, connection, budget },
    );
    // A peer that misses a whole ping interval is gone (or not reading): drop it.
    let isAlive = true;
    socket.on('pong', () => (isAlive = true));
    const pings = setInterval(() => {
      if (!isAlive) return socket.terminate();
      isAlive = false;
      socket.ping();
    }, limits.keepAliveMs);
    socket.on('error', (error) => logger.warn({ err: error }, 'websocket error'));
    socket.once('close', (code: number, reason: Buffer) => {
      clearInterval(pings);
      registry.release(connection);
      budget.close();
      void closed(code, reason.toString());
    });
  });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/graphql' && path !== '/graphql/') {
      if (httpServer.listenerCount('upgrade') === 1) rejectUpgrade(socket, 404);
      return;
    }
    if (lifecycle?.isDraining) return rejectUpgrade(socket, httpStatusOf('SERVICE_UNAVAILABLE'));
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  httpServer.on('upgrade', onUpgrade);

  let closing: Promise<void> | undefined;
  return {
    runtime,
    stats: () => ({
      ...runtime.hub.stats(),
      connections: wss.clients.size,
      slowConsumersClosed,
      bufferedBytes: instanceBudget.used,
      peakBufferedBytes: instanceBudget.peak,
    }),
    close() {
      closing ??= (async () => {
        httpServer.off('upgrade', onUpgrade);
        for (const socket of wss.clients) socket.close(CLOSE_CODES.GOING_AWAY, 'Server shutting down; reconnect');
        const deadline = Date.now() + 2_000;
        while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        for (const socket of wss.clients) socket.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await runtime.stop();
      })();
      return closing;
    },
  };
}
