// The HTTP surface: request ids, the request log, health and readiness, metrics, and GraphQL
// on /graphql.
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { ApolloServer } from '@apollo/server';
import type { AppServices } from '../app-services';
import { createContextInner, type Context } from '../graphql/context';
import { requestLog } from '../graphql/plugins/request-log';
import { recordingIdentity, type RequestRecord } from '../graphql/plugins/request-record';
import { healthRouter, type Lifecycle } from './health';
import { FilesystemStore, OBJECT_ROUTE } from '../modules/attachment/filesystem-store';
import { filesystemRoutes } from '../modules/attachment/filesystem-routes';
import { metricsHandler, type Metrics } from './metrics';
import { requestIdFrom, runWithRequestId } from './request-scope';

export interface HttpAppOptions {
  readonly services: AppServices;
  readonly apollo: ApolloServer<Context>;
  readonly lifecycle: Lifecycle;
  /** Mounted before GraphQL on GET /graphql (the IDE serves browsers there). */
  readonly beforeGraphql?: express.RequestHandler[];
  /** Mounted before GraphQL on /graphql/ide/ (the IDE's static bundle). */
  readonly ideAssets?: express.RequestHandler;
  readonly metrics?: Metrics;
  /** Answer GET /metrics on this app (only when METRICS_PORT does not give it a port of its own). */
  readonly serveMetrics?: boolean;
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Malformed JSON never reaches Apollo: answer it in the contract's error shape. */
function malformedBody(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  const e = error as { type?: string; status?: number };
  if (e?.type === 'entity.parse.failed' || e?.type === 'entity.too.large') {
    const message = e.type === 'entity.too.large' ? 'Request body is too large' : 'Malformed JSON body';
    res.status(e.status ?? 400).json({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] });
    return;
  }
  next(error);
}

export function createHttpApp(options: HttpAppOptions): Express {
  const { services, apollo, lifecycle } = options;
  const app = express();
  app.disable('x-powered-by');
  // req.ip is the client as the trusted proxies (the ALB: one hop) saw it; entries further
  // left in X-Forwarded-For are the client's own words, not believed (log-in limits key on it).
  app.set('trust proxy', services.config.trustProxyHops);
  app.use((req, res, next) => {
    const requestId = requestIdFrom(req.headers);
    res.setHeader('x-request-id', requestId);
    res.locals.requestId = requestId;
    // While draining, every response closes its connection, so clients and the load balancer
    // open new ones elsewhere instead of reusing this instance.
    if (lifecycle.isDraining) res.setHeader('connection', 'close');
    runWithRequestId(requestId, next);
  });
  app.use(requestLog(services.logger, options.metrics));
  app.use(healthRouter(lifecycle, services.database.pool, services.config.dbAcquireTimeoutMs));
  if (options.metrics && options.serveMetrics) app.get('/metrics', metricsHandler(options.metrics));
  // The filesystem object store's signed upload and download URLs (S3 serves its own).
  if (services.objectStore instanceof FilesystemStore) app.use(OBJECT_ROUTE, filesystemRoutes(services.objectStore, services.config.attachments.maxBytes));
  for (const handler of options.beforeGraphql ?? []) app.get('/graphql', handler);
  if (options.ideAssets) app.use('/graphql/ide', options.ideAssets);
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    malformedBody,
    expressMiddleware(apollo, {
      context: async ({ req, res }) =>
        recordingIdentity(
          createContextInner({
            services,
            requestId: res.locals.requestId as string,
            authorization: header(req, 'authorization'),
            orgId: header(req, 'x-org-id'),
            idempotencyKey: header(req, 'idempotency-key'),
            clientAddress: req.ip,
          }),
          (res.locals.record as RequestRecord | undefined) ?? {},
        ),
    }),
  );
  return app;
}
