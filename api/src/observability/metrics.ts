// Prometheus metrics for one API instance. Each instance gets its own registry, so several
// servers in one test process never share counters. Label values come from small fixed sets or
// are capped, because a client chooses operation names and a scanner chooses paths.
import http from 'node:http';
import type { RequestHandler } from 'express';
import type { Pool } from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const ROUTES = new Set(['/graphql', '/health', '/ready', '/metrics']);
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

export type OperationOutcome = 'ok' | 'error' | 'rejected';

export class Metrics {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  private readonly operations: Counter<'operation_name' | 'operation_type' | 'outcome'>;
  private readonly resolverErrors: Counter<'code'>;
  private readonly operationNames = new Set<string>();

  constructor(pool: Pool, poolMax: number) {
    const registers = [this.registry];
    // Process metrics (CPU, memory, handles, GC) and event-loop lag, sampled every 10 ms.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by route and status, from the first byte read to the last byte written',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.operations = new Counter({
      name: 'graphql_operations_total',
      help: 'GraphQL operations by name, type and outcome (rejected: refused before execution)',
      labelNames: ['operation_name', 'operation_type', 'outcome'],
      registers,
    });
    this.resolverErrors = new Counter({
      name: 'graphql_resolver_errors_total',
      help: 'Errors raised while resolving fields, by extensions.code',
      labelNames: ['code'],
      registers,
    });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({ name, help, registers, collect() { this.set(read()); } });
    gauge('db_pool_size', 'Connections the PostgreSQL pool holds (busy and idle)', () => pool.totalCount);
    gauge('db_pool_idle', 'Pooled connections not checked out', () => pool.idleCount);
    gauge('db_pool_waiting', 'Requests waiting for a pooled connection', () => pool.waitingCount);
    gauge('db_pool_max', 'Largest number of connections the pool may open', () => poolMax);
    new Counter({
      name: 'db_pool_rejected_total',
      help: 'Checkouts refused at once because the pool wait queue was full (DB_POOL_MAX_WAITING)',
      registers,
      collect() {
        this.reset();
        this.inc((pool as { rejectedCount?: number }).rejectedCount ?? 0);
      },
    });
  }

  observeHttp(method: string, path: string, status: number, seconds: number): void {
    const route = ROUTES.has(path) ? path : 'other';
    this.httpDuration.observe({ method, route, status_code: String(status) }, seconds);
  }

  countOperation(name: string | undefined, type: string | undefined, outcome: OperationOutcome): void {
    this.operations.inc({ operation_name: this.operationLabel(name, outcome), operation_type: type ?? 'unknown', outcome });
  }

  countResolverError(code: string): void {
    this.resolverErrors.inc({ code });
  }

  /** The realtime server's sockets and the event bytes they hold (read at scrape time). */
  watchRealtime(read: () => { readonly connections: number; readonly bufferedBytes: number; readonly slowConsumersClosed: number }): void {
    const registers = [this.registry];
    new Gauge({ name: 'realtime_connections', help: 'Open graphql-ws sockets', registers, collect() { this.set(read().connections); } });
    new Gauge({ name: 'realtime_buffered_bytes', help: 'Event bytes held for sockets (queued, replayed, being sent); bounded by REALTIME_INSTANCE_BUFFER_MB', registers, collect() { this.set(read().bufferedBytes); } });
    new Counter({
      name: 'realtime_slow_consumers_closed_total',
      help: 'Sockets cut off with 4008 (too many events or bytes held for them)',
      registers,
      collect() {
        this.reset();
        this.inc(read().slowConsumersClosed);
      },
    });
  }

  /** Operations that never resolved have no trustworthy name; past the cap, names fold into one. */
  private operationLabel(name: string | undefined, outcome: OperationOutcome): string {
    if (outcome === 'rejected') return '__unresolved';
    if (!name) return '__anonymous';
    if (!OPERATION_NAME.test(name)) return '__other';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES) return '__other';
    this.operationNames.add(name);
    return name;
  }
}

export function metricsHandler(metrics: Metrics): RequestHandler {
  return (_req, res, next) => {
    metrics.registry.metrics().then((body) => {
      res.setHeader('content-type', metrics.registry.contentType);
      res.end(body);
    }, next);
  };
}

/** /metrics on its own port, so the load balancer (which only forwards PORT) never exposes it. */
export async function startMetricsServer(metrics: Metrics, port: number, host: string): Promise<http.Server> {
  const handle = metricsHandler(metrics);
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
      handle(req as never, res as never, () => {
        res.statusCode = 500;
        res.end();
      });
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
