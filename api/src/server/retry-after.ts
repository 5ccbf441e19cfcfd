// Every 503 tells the client when to come back (RFC 9110 Retry-After), whichever layer produced
// it: the pool refusing, a commit failing, a dependency down. Set as the status line is written,
// so no producer of a 503 has to remember it; a Retry-After already chosen is kept.
import type { RequestHandler } from 'express';
import { httpStatusOf } from '../errors/error-code';

const UNAVAILABLE = httpStatusOf('SERVICE_UNAVAILABLE');

export function retryAfterOnUnavailable(seconds: number): RequestHandler {
  return (_req, res, next) => {
    const writeHead = res.writeHead;
    res.writeHead = function (this: typeof res, ...args: Parameters<typeof writeHead>) {
      const status = typeof args[0] === 'number' ? args[0] : res.statusCode;
      if (status === UNAVAILABLE && !res.hasHeader('retry-after')) res.setHeader('Retry-After', String(seconds));
      return writeHead.apply(this, args);
    } as typeof writeHead;
    next();
  };
}
