// Graceful stop of one instance, in the order the load balancer needs: turn unhealthy but keep
// serving while it deregisters us (drain), then stop accepting, let in-flight requests finish
// (bounded), close long-lived connections, and release the database last.
import type http from 'node:http';
import type { Logger } from 'pino';
import type { Lifecycle } from './health';

export interface ShutdownOptions {
  readonly lifecycle: Lifecycle;
  readonly httpServer: http.Server;
  /** Time to keep serving with /health and /ready at 503. */
  readonly drainMs: number;
  /** Bound on everything after the drain: in-flight requests, hooks, releasing resources. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Closers for long-lived connections (WebSockets), run as soon as the server stops accepting. */
  readonly connectionClosers: readonly (() => Promise<void>)[];
  /** Releases what requests used (Apollo, the pool, the embedded database); runs after them. */
  readonly release: () => Promise<void>;
  /** A second signal cuts the drain short. */
  readonly abortDrain?: AbortSignal;
}

export interface ShutdownResult {
  /** True when the timeout expired and open connections or resources were cut off. */
  readonly forced: boolean;
  readonly durationMs: number;
}

const TIMED_OUT = Symbol('timed out');

function sleep(ms: number, abort?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || abort?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      abort?.removeEventListener('abort', done);
      resolve();
    }
    abort?.addEventListener('abort', done, { once: true });
  });
}

function within<T>(promise: Promise<T>, deadline: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function gracefulShutdown(options: ShutdownOptions): Promise<ShutdownResult> {
  const { lifecycle, httpServer, logger } = options;
  const started = Date.now();
  lifecycle.startDraining();
  if (options.drainMs > 0) logger.info({ drainMs: options.drainMs }, 'draining: /health and /ready answer 503, still serving');
  await sleep(options.drainMs, options.abortDrain);

  const deadline = Date.now() + options.timeoutMs;
  const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
  // A keep-alive connection turns idle when its last response is sent; close it then rather
  // than waiting for the client, so the server's close completes as soon as the work does.
  httpServer.closeIdleConnections();
  const sweeper = setInterval(() => httpServer.closeIdleConnections(), 100);
  logger.info({ timeoutMs: options.timeoutMs }, 'stopped accepting connections; finishing in-flight requests');
  let forced = false;
  try {
    const hooks = Promise.all(
      options.connectionClosers.map((close) => close().catch((err: unknown) => logger.error({ err }, 'closing connections failed'))),
    );
    if ((await within(Promise.all([closed, hooks]), deadline)) === TIMED_OUT) {
      forced = true;
      logger.warn('shutdown timeout: closing the connections still open');
      httpServer.closeAllConnections();
    }
  } finally {
    clearInterval(sweeper);
  }
  // After a forced close, resolvers may still hold pooled connections until their statements
  // end; give releasing a second rather than wait for them.
  const released = await within(
    options.release().catch((err: unknown) => logger.error({ err }, 'releasing resources failed')),
    Math.max(deadline, Date.now() + 1_000),
  );
  if (released === TIMED_OUT) {
    forced = true;
    logger.warn('shutdown timeout: resources not released in time');
  }
  const result = { forced, durationMs: Date.now() - started };
  logger.info(result, 'shutdown complete');
  return result;
}
