// The HTTP surface: request ids, the request log, health and readiness, metrics, and GraphQL
// on /graphql (with CORS for the configured origins, and GET for queries).
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { ApolloServer } from '@apollo/server';
import type { AppServices } from '../app-services';
import type { Context } from '../graphql/context';
import { createContextInner } from '../graphql-server/create-context';
import { requestLog } from '../observability/request-log';
import { recordingIdentity, type RequestRecord } from '../observability/request-record';
import { ResponseBytePool, responseBudget } from '../graphql-server/response-budget';
import type { Database } from '../db/prisma-client';
import { healthRouter, type Lifecycle } from './health';
import { FilesystemStore, OBJECT_ROUTE } from '../modules/attachment/filesystem-store';
import { filesystemRoutes } from '../modules/attachment/filesystem-routes';
import { metricsHandler, type Metrics } from '../observability/metrics';
import { requestIdFrom, runWithRequestId } from '../observability/request-scope';
import { corsHandler } from './cors';
import { retryAfterOnUnavailable } from './retry-after';
import { errorBody } from '../errors/error-body';
import { requestErrorStatus, RETRY_AFTER_SECONDS } from '../errors/error-code';
import { withRateLimitSlot, type RateLimitSlot } from '../ratelimit/rate-limit-slot';

export interface HttpAppOptions {
  readonly services: AppServices;
  /** For /ready's pool check; requests never see it. */
  readonly database: Database;
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
    // The body parser's own status where it has one (413 for a body over the limit).
    res.status(e.status ?? requestErrorStatus('BAD_USER_INPUT')).json(errorBody('BAD_USER_INPUT', message));
    return;
  }
  next(error);
}

/**
 * Apollo's CSRF prevention asks every request without a JSON content type for a header that
 * forces a CORS preflight. A GET is exempt here, so plain `GET /graphql?query=…` works (GraphQL
 * over HTTP): it can only run a query (Apollo answers a mutation over GET with 405), and it acts
 * as a signed-in user only with an Authorization header, which a cross-site page cannot add
 * without a preflight that CORS_ORIGINS decides. A forged GET is an anonymous read. POSTs keep
 * the check.
 */
function getIsReadOnly(req: Request, _res: Response, next: NextFunction): void {
  if (req.method === 'GET' && !req.headers['apollo-require-preflight']) req.headers['apollo-require-preflight'] = 'GET is read-only';
  next();
}

export function createHttpApp(options: HttpAppOptions): Express {
  const { services, apollo, lifecycle } = options;
  const app = express();
  app.disable('x-powered-by');
  // req.ip is the client as the trusted proxies (the ALB: one hop) saw it; entries further
  // left in X-Forwarded-For are the client's own words, not believed (log-in and rate limits key on it);
  // hops, not `true`, or anyone could pick a fresh address by writing one.
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
  app.use(retryAfterOnUnavailable(RETRY_AFTER_SECONDS));
  app.use(healthRouter(lifecycle, options.database.pool, services.config.dbAcquireTimeoutMs, services.logger));
  if (options.metrics && options.serveMetrics) app.get('/metrics', metricsHandler(options.metrics));
  // The filesystem object store's signed upload and download URLs (S3 serves its own).
  if (services.objectStore instanceof FilesystemStore) app.use(OBJECT_ROUTE, filesystemRoutes(services.objectStore, services.config.attachments.maxBytes));
  app.use('/graphql', corsHandler(services.config.corsOrigins));
  for (const handler of options.beforeGraphql ?? []) app.get('/graphql', handler);
  if (options.ideAssets) app.use('/graphql/ide', options.ideAssets);
  const responses = new ResponseBytePool(services.config.limits.responseBudgetBytes);
  app.use(
    '/graphql',
    responseBudget(responses, services.config.limits.maxResponseBytes),
    express.json({ limit: '1mb' }),
    malformedBody,
    getIsReadOnly,
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const context = createContextInner({
          services,
          requestId: res.locals.requestId as string,
          authorization: header(req, 'authorization'),
          orgId: header(req, 'x-org-id'),
          idempotencyKey: header(req, 'idempotency-key'),
          clientAddress: req.ip,
        });
        // The last resort for the request transaction: a client that closed its socket before
        // the answer, or any path that skipped the commit, rolls back here. After a normal
        // response this is a no-op (the first finish() decides).
        res.once('close', () => void context.finish(false).catch(() => undefined));
        const slot: RateLimitSlot = { clientAddress: req.ip ?? req.socket.remoteAddress ?? 'unknown' };
        return withRateLimitSlot(recordingIdentity(context, (res.locals.record as RequestRecord | undefined) ?? {}), slot);
      },
    }),
  );
  return app;
}
