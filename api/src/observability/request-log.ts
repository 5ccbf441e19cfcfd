// One JSON log line and one latency observation per HTTP request, written when the response is
// done, with what the GraphQL plugins noted in the request record. Deliberately absent: headers,
// query strings, documents and variables, which is where tokens and passwords travel.
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from './metrics';
import type { RequestRecord } from './request-record';

/** Load balancer and scraper traffic: logged only at debug unless it fails. */
const PROBES = new Set(['/health', '/ready', '/metrics']);

export function requestLog(logger: Logger, metrics: Metrics | undefined): RequestHandler {
  // The line below is built field by field from values that are never secrets, so the logger's
  // redaction (a second line of defence for everything else) has nothing to find in it; its
  // wildcard paths cost ~50 us per line, a tenth of a small request's CPU.
  const lines = logger.child({}, { redact: [] });
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // Read now: routers mounted on a prefix rewrite req.path while they run.
    const path = req.path;
    const record: RequestRecord = {};
    res.locals.record = record;
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // A response the client abandoned has no real status; 499 is the usual stand-in.
      const status = res.writableFinished ? res.statusCode : 499;
      metrics?.observeHttp(req.method, path, status, seconds);
      const line = {
        requestId: res.locals.requestId as string | undefined,
        method: req.method,
        path: path.slice(0, 200),
        status,
        durationMs: Math.round(seconds * 10_000) / 10,
        orgId: record.orgId,
        userId: record.userId,
        operationName: record.operationName?.slice(0, 100),
        operationType: record.operationType,
        cost: record.cost,
        outcome: record.outcome ?? (status === 499 ? 'aborted' : status >= 500 ? 'error' : status >= 400 ? 'rejected' : 'ok'),
        errorCodes: record.errorCodes,
      };
      if (status >= 500) lines.warn(line, 'request');
      else if (PROBES.has(path) && status < 400) lines.debug(line, 'request');
      else lines.info(line, 'request');
    });
    next();
  };
}
