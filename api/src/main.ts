// Process entry: read config, start the server, shut down gracefully on SIGTERM/SIGINT.
import type { Logger } from 'pino';
import { ConfigError, loadConfig } from './config';
import { EmbeddedPostgresError } from './db/embedded-postgres';
import { createLogger } from './observability/logger';
import { startServer, type RunningServer } from './server/start';
import { UnprotectedTenantTablesError } from './tenancy/rls-guard';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config);
  // A stray rejected promise (background work of a dependency failing while the database is
  // away) is logged and the process keeps serving: requests and jobs recover on their own.
  // Thrown exceptions still end the process (state after one is unknown).
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  let server;
  try {
    // Found late (the database was away at start): the server stops itself; the exit says why.
    server = await startServer(config, logger, { onLateRefusal: () => (process.exitCode = 1) });
  } catch (error) {
    if (error instanceof EmbeddedPostgresError) {
      process.stderr.write(`Cannot start: ${error.message}\n`);
      process.exit(1);
    }
    // Already said, in one log line naming the tables.
    if (error instanceof UnprotectedTenantTablesError) process.exit(1);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`Cannot start: ${config.host}:${config.port} is in use by another process; set PORT to another port\n`);
      process.exit(1);
    }
    throw error;
  }
  // Before the ready line: whoever waits for it may signal at once, and a signal that comes
  // before the handlers would end the process by the default action, without the drain.
  stopOnSignals(server, logger);
  logger.info({ url: `${server.url}/graphql`, embedded: !config.databaseUrl }, 'tracker API ready');
  if (server.demo) {
    process.stdout.write(
      [
        '',
        `  GraphQL endpoint and IDE: ${server.url}/graphql`,
        `  Demo login: ${server.demo.email} / ${server.demo.password}`,
        `  Demo headers: Authorization: Bearer ${server.demo.accessToken}`,
        `                x-org-id: ${server.demo.orgId}`,
        `  The token is valid for 24 hours (until ${server.demo.accessTokenExpiresAt.toISOString()}), or until a restart without JWT_SECRET;`,
        `  the IDE at the endpoint pre-fills it for browsers on this machine only.`,
        '',
      ].join('\n') + '\n',
    );
  }
}

/**
 * SIGTERM from `docker stop` (through tini), SIGINT from a terminal. A second signal skips the
 * rest of the drain, so Ctrl-C twice does not wait SHUTDOWN_DRAIN_SECONDS; one that follows
 * within a second is the same signal delivered twice (a terminal signals the whole process
 * group, and wrappers like npm or tsx relay it again).
 */
function stopOnSignals(server: RunningServer, logger: Logger): void {
  const abortDrain = new AbortController();
  let stoppingSince: number | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < 1_000) return;
      logger.info({ signal }, 'second signal: cutting the drain short');
      abortDrain.abort();
      return;
    }
    stoppingSince = Date.now();
    logger.info({ signal }, 'shutting down');
    server.shutdown({ abortDrain: abortDrain.signal }).then(
      // Exit 1 when the timeout cut requests off, so the stop shows up as unclean.
      ({ forced }) => process.exit(forced ? 1 : 0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`Failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
