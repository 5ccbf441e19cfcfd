// Cross-origin browser clients: pages from CORS_ORIGINS may call /graphql with the headers the
// API reads. Credentials are never allowed: the API authenticates by the Authorization header
// only (no cookies), so a page must hold a token to act, and a page from another origin is
// refused by the browser itself (no Access-Control-Allow-Origin in the answer).
import cors from 'cors';
import type { RequestHandler } from 'express';

/** Request headers a client may send (content-type for JSON; the rest are the API's own). */
export const CORS_ALLOWED_HEADERS = ['authorization', 'content-type', 'x-org-id', 'idempotency-key', 'x-request-id'];
/** Response headers a page may read besides the CORS-safelisted ones. */
export const CORS_EXPOSED_HEADERS = ['RateLimit', 'RateLimit-Policy', 'Retry-After', 'x-request-id', 'Idempotent-Replayed'];

export function corsHandler(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return cors({
    origin: allowed.has('*') ? '*' : (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    credentials: false,
    // Browsers cap this (Chromium at 2 h); 10 minutes keeps a changed list effective soon.
    maxAge: 600,
    optionsSuccessStatus: 204,
  });
}
