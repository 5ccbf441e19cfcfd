// Starts one API instance: database (server or embedded), services, HTTP. Used by main.ts and
// by tests that want a real server on a real port.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { createAppServices, type AppServices } from '../app-services';
import { openDatabase, type Database } from '../db/prisma-client';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded-postgres';
import { applyMigrations } from '../schema-setup/apply-migrations';
import { createApollo } from '../graphql-server/apollo';
import { buildAppSchema } from '../graphql-server/schema';
import { guardTenantTables, type TenantTableGuard, type UnprotectedTenantTablesError } from '../tenancy/rls-guard';
import { createHttpApp } from './app';
import { ideAssets, ideHandler } from './ide';
import { Lifecycle } from './health';
import { Metrics, startMetricsServer } from '../observability/metrics';
import { gracefulShutdown, type ShutdownResult } from './shutdown';
import { startRealtimeServer, type RealtimeServer } from './websocket';
import { startJobRunner } from '../jobs/job-runner';
import { createRateLimiter } from '../ratelimit/rate-limiter';
import { isDemoSeeded, seedDemoIfEmpty, type DemoAccess } from '../../../prisma/demo-seed';

export const APP_ROLE = 'tracker_app';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly httpServer: http.Server;
  readonly services: AppServices;
  /** The pool and the unscoped client: start-up wiring and tests only, never requests. */
  readonly database: Database;
  readonly lifecycle: Lifecycle;
  readonly demo: DemoAccess | undefined;
  readonly metrics: Metrics;
  /** Set when METRICS_PORT serves /metrics apart from the API. */
  readonly metricsUrl: string | undefined;
  /** graphql-ws on /graphql and this instance's PostgreSQL listener. */
  readonly realtime: RealtimeServer;
  /** Registers a closer for long-lived connections (WebSockets), run when shutdown stops accepting. */
  onShutdown(closeConnections: () => Promise<void>): void;
  /** The signal path: drain for SHUTDOWN_DRAIN_SECONDS, then close within SHUTDOWN_TIMEOUT_SECONDS. */
  shutdown(options?: { abortDrain?: AbortSignal }): Promise<ShutdownResult>;
  /** Stops accepting, finishes in-flight requests, closes the database; no drain (tests). */
  close(): Promise<void>;
}

async function openStore(config: Config, logger: Logger): Promise<{ database: Database; embedded?: EmbeddedPostgres }> {
  const pool = { poolMax: config.dbPoolMax, acquireTimeoutMs: config.dbAcquireTimeoutMs, statementTimeoutMs: config.dbStatementTimeoutMs, maxWaiting: config.dbPoolMaxWaiting, preparedStatements: config.dbPreparedStatements };
  if (config.databaseUrl) return { database: openDatabase({ url: config.databaseUrl, ...pool }) };
  const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, logger });
  try {
    const applied = await applyMigrations(embedded.ownerUrl);
    if (applied.length > 0) logger.info({ migrations: applied }, 'applied migrations to the embedded database');
    // As in production: the app logs in as the non-owner role, so row-level security applies.
    return { database: openDatabase({ url: await embedded.appRoleUrl(APP_ROLE), ...pool }), embedded };
  } catch (error) {
    await embedded.close();
    throw error;
  }
}

/**
 * The demo seed is about a thousand small transactions of data that can be made again: on a
 * pool of their own they do not wait for the disk at each commit (synchronous_commit=off),
 * and one ordinary commit afterwards flushes them all. Its token is signed by `services`.
 */
async function seedDemo(config: Config, database: Database, services: AppServices, logger: Logger): Promise<DemoAccess> {
  if (await isDemoSeeded(services, database)) return seedDemoIfEmpty(services, database, logger);
  const url = new URL(database.options.url);
  url.searchParams.set('options', '-c synchronous_commit=off');
  const seeding = openDatabase({ ...database.options, url: url.toString(), applicationName: 'tracker-demo-seed' });
  try {
    await seedDemoIfEmpty(createAppServices(config, seeding, logger), seeding, logger);
  } finally {
    await seeding.close();
  }
  // Assigning a transaction id makes this commit write (and wait for) the WAL up to here.
  await database.prisma.$queryRaw`SELECT txid_current()::text`;
  return seedDemoIfEmpty(services, database, logger);
}

/** A taken port fails the start at once: before the database, its migrations and the demo seed. */
function ensurePortFree(port: number, host: string): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

export interface StartHooks {
  /** Tenant tables without forced row-level security, found after the start (the database was away then); the server stops. */
  onLateRefusal?(error: UnprotectedTenantTablesError): void;
}

export async function startServer(config: Config, logger: Logger, hooks: StartHooks = {}): Promise<RunningServer> {
  await ensurePortFree(config.port, config.host);
  const { database, embedded } = await openStore(config, logger);
  // Refuses to start over tenant tables without forced row-level security (see rls-guard.ts);
  // found late (the database was away at start), it stops the server.
  let tenantTableGuard: TenantTableGuard;
  let refusedLate = false;
  let stopNow: (() => void) | undefined;
  try {
    tenantTableGuard = await guardTenantTables(database.prisma, logger, (error) => {
      refusedLate = true;
      hooks.onLateRefusal?.(error);
      stopNow?.();
    });
  } catch (error) {
    await database.close();
    await embedded?.close();
    throw error;
  }
  const services = createAppServices(config, database, logger);
  const demo = embedded ? await seedDemo(config, database, services, logger) : undefined;
  const lifecycle = new Lifecycle();
  const metrics = new Metrics(database.pool, database.options.poolMax);
  const rateLimiter = createRateLimiter(config, logger);
  await rateLimiter.ready();
  const apollo = createApollo({ schema: buildAppSchema(), config, logger, metrics, rateLimiter });
  await apollo.start();
  const app = createHttpApp({
    services,
    database,
    apollo,
    lifecycle,
    metrics,
    serveMetrics: config.metricsPort === undefined,
    beforeGraphql: config.graphqlIde ? [ideHandler({ demo })] : [],
    ideAssets: config.graphqlIde ? ideAssets() : undefined,
  });
  const httpServer = http.createServer(app);
  // Longer than the ALB's 60 s idle timeout, so the balancer closes idle connections first.
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  const realtime = await startRealtimeServer({ httpServer, schema: buildAppSchema(), services, database, lifecycle });
  metrics.watchRealtime(() => realtime.stats());
  // Not awaited: the runner comes up (and back) on its own, so a database outage never stops a start.
  const jobRunner = startJobRunner(services, database);
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject); // EADDRINUSE: a start-up failure, not an unhandled event
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const metricsServer = config.metricsPort === undefined ? undefined : await startMetricsServer(metrics, config.metricsPort, config.host);
  const connectionClosers: (() => Promise<void>)[] = [() => realtime.close()];
  let stopping: Promise<ShutdownResult> | undefined;
  const stop = (drainMs: number, abortDrain?: AbortSignal) =>
    (stopping ??= gracefulShutdown({
      lifecycle,
      httpServer,
      drainMs,
      timeoutMs: config.shutdownTimeoutSeconds * 1000,
      logger,
      connectionClosers,
      abortDrain,
      async release() {
        tenantTableGuard.stop();
        await apollo.stop();
        await rateLimiter.close();
        await jobRunner?.stop();
        await database.close();
        await embedded?.close();
        if (metricsServer) {
          await new Promise<void>((resolve) => {
            metricsServer.close(() => resolve());
            metricsServer.closeAllConnections();
          });
        }
      },
    }));
  stopNow = () => void stop(0);
  if (refusedLate) stopNow();
  return {
    url: `http://${host}:${port}`,
    port,
    httpServer,
    services,
    database,
    lifecycle,
    demo,
    metrics,
    metricsUrl: metricsServer && `http://${host}:${config.metricsPort}`,
    realtime,
    onShutdown(closeConnections) {
      connectionClosers.push(closeConnections);
    },
    shutdown(options = {}) {
      return stop(config.shutdownDrainSeconds * 1000, options.abortDrain);
    },
    async close() {
      await stop(0);
    },
  };
}
