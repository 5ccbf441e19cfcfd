// The GraphQL IDE: a browser asking for GET /graphql gets GraphiQL, bundled at build time by
// ide/build.ts (`npm run build:ide`) and served from here, so it works offline. Its
// Content-Security-Policy lets the page load and connect to this origin only.
import express, { type RequestHandler, type Response } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DemoAccess } from '../../../prisma/demo-seed';
import { PROJECT_ROOT } from '../project-root';
import { httpStatusOf } from '../errors/error-code';

export const IDE_ASSETS_PATH = '/graphql/ide';

// Monaco injects <style> elements and inline styles, and graphiql's CSS inlines its fonts as
// data: URLs; workers are files from this origin (see ide/src/workers.ts). In CSP 3 'self'
// also covers ws:/wss: to this host, for subscriptions.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const DEFAULT_QUERY = `# The WEB project's board: its issues and workflow.
# Run with ▶ or Ctrl-Enter; the Docs pane has the schema.
query Board {
  project(key: "WEB") {
    key
    name
    issues(first: 20) {
      totalCount
      edges {
        node {
          key
          title
          priority
          status { name }
          assignee { name }
          labels { name }
        }
      }
    }
    workflow { name }
  }
}
`;

export interface IdeOptions {
  /**
   * Present only in development with the embedded demo seed: prefills the headers editor,
   * for requests from this machine only (the token is an OWNER's).
   */
  readonly demo?: DemoAccess;
  readonly assetsDir?: string;
}

/** Where ide/build.ts writes the bundle. */
export const IDE_ASSETS_DIR = path.join(PROJECT_ROOT, 'api', 'public', 'ide');

function setSecurityHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

/** The peer's own address, not a header: X-Forwarded-For can be written by anyone. */
function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || /^127\./.test(v4);
}

/** JSON that is safe inside <script>: no "</script>", "<!--" or line separators can break out. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function renderIdePage(demo: DemoAccess | undefined): string {
  const settings = {
    endpoint: '/graphql',
    query: DEFAULT_QUERY,
    headers: demo ? JSON.stringify({ Authorization: `Bearer ${demo.accessToken}`, 'x-org-id': demo.orgId }, null, 2) : undefined,
    demoEmail: demo?.email,
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tracker API · GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${IDE_ASSETS_PATH}/main.css">
<script id="ide-settings" type="application/json">${scriptJson(settings)}</script>
<script type="module" src="${IDE_ASSETS_PATH}/main.js"></script>
</head>
<body><div id="root"></div></body>
</html>
`;
}

/** GET /graphql: the page for browsers (Accept prefers text/html); everyone else goes on to GraphQL. */
export function ideHandler(options: IdeOptions = {}): RequestHandler {
  const withDemo = renderIdePage(options.demo);
  const withoutDemo = renderIdePage(undefined);
  const assetsDir = options.assetsDir ?? IDE_ASSETS_DIR;
  return (req, res, next) => {
    res.vary('Accept');
    if (req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) !== 'text/html') {
      next();
      return;
    }
    setSecurityHeaders(res);
    // The page may carry a token: never let a cache keep it.
    res.setHeader('Cache-Control', 'no-store');
    if (!existsSync(path.join(assetsDir, 'main.js'))) {
      res.status(httpStatusOf('SERVICE_UNAVAILABLE')).type('text/plain').send('The GraphQL IDE is not built: run `npm run build:ide` and reload.\n');
      return;
    }
    res.type('html').send(isLoopback(req.socket.remoteAddress) ? withDemo : withoutDemo);
  };
}

/** The bundle under /graphql/ide/. Workers get the CSP from their own response, so set it here too. */
export function ideAssets(assetsDir = IDE_ASSETS_DIR): RequestHandler {
  return express.static(assetsDir, {
    index: false,
    fallthrough: false,
    setHeaders: (res) => setSecurityHeaders(res),
  });
}
