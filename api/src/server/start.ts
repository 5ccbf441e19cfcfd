// Starts one API instance: database (server or embedded), services, HTTP. Used by main.ts and
// by tests that want a real server on a real port.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { createAppServices, type AppServices } from '../app-services';
import { openDatabase, type Database } from '../db/prisma-client';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded-postgres';
import { applyMigrations } from '../db/migrations';
import { createApollo } from '../graphql/apollo';
import { buildAppSchema } from '../graphql/schema';
import { createHttpApp } from './app';
import { Lifecycle } from './health';
import { seedDemoIfEmpty, type DemoAccess } from '../../../prisma/demo-seed';

export const APP_ROLE = 'tracker_app';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly httpServer: http.Server;
  readonly services: AppServices;
  readonly lifecycle: Lifecycle;
  readonly demo: DemoAccess | undefined;
  /** Stops accepting, finishes in-flight requests, closes the database. */
  close(): Promise<void>;
}

async function openStore(config: Config, logger: Logger): Promise<{ database: Database; embedded?: EmbeddedPostgres }> {
  const pool = { poolMax: config.dbPoolMax, acquireTimeoutMs: config.dbAcquireTimeoutMs, statementTimeoutMs: config.dbStatementTimeoutMs };
  if (config.databaseUrl) return { database: openDatabase({ url: config.databaseUrl, ...pool }) };
  const embedded = await startEmbeddedPostgres(config.dataDir);
  const applied = await applyMigrations(embedded.url);
  if (applied.length > 0) logger.info({ migrations: applied }, 'applied migrations to the embedded database');
  // One connection: PGlite is a single session. SET ROLE makes row-level security apply,
  // because the embedded superuser would bypass it.
  return { database: openDatabase({ url: embedded.url, ...pool, poolMax: 1, setRole: APP_ROLE }), embedded };
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const { database, embedded } = await openStore(config, logger);
  const services = createAppServices(config, database, logger);
  const demo = embedded ? await seedDemoIfEmpty(services, logger) : undefined;
  const lifecycle = new Lifecycle();
  const apollo = createApollo({ schema: buildAppSchema(), config, logger });
  await apollo.start();
  const app = createHttpApp({ services, apollo, lifecycle });
  const httpServer = http.createServer(app);
  // Longer than the ALB's 60 s idle timeout, so the balancer closes idle connections first.
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
  const port = (httpServer.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    httpServer,
    services,
    lifecycle,
    demo,
    close() {
      closing ??= (async () => {
        lifecycle.startDraining();
        await new Promise<void>((resolve) => {
          httpServer.close(() => resolve());
          httpServer.closeIdleConnections();
        });
        await apollo.stop();
        await database.close();
        await embedded?.close();
      })();
      return closing;
    },
  };
}
