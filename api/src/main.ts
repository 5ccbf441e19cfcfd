// Process entry: read config, start the server, handle signals.
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { startServer } from './server/start';

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
  const server = await startServer(config, logger);
  logger.info({ url: `${server.url}/graphql`, embedded: !config.databaseUrl }, 'tracker API ready');
  if (server.demo) {
    process.stdout.write(
      [
        '',
        `  GraphQL endpoint and IDE: ${server.url}/graphql`,
        `  Demo login: ${server.demo.email} / ${server.demo.password}`,
        `  Demo headers: Authorization: Bearer ${server.demo.accessToken}`,
        `                x-org-id: ${server.demo.orgId}`,
        '',
      ].join('\n') + '\n',
    );
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
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
