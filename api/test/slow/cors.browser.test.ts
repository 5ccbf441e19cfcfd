// CORS as a real browser enforces it: a page from an origin in CORS_ORIGINS calls the API with
// its headers (token, tenant, Idempotency-Key) and reads the rate-limit headers; a page from any
// other origin is refused by the browser before the request runs; credentials are never allowed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CORS_ALLOWED_HEADERS } from '../../src/server/cors';
import { createOrg, type TestOrg } from '../support/fixtures';
import { startTestApi, type TestApi } from '../support/test-server';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** A web page's own origin: a blank page on a port of its own. */
async function pageServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>client</title>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface BrowserResult {
  ok: boolean;
  status?: number;
  body?: { data?: Record<string, unknown> | null; errors?: unknown[] };
  rateLimit?: string | null;
  policy?: string | null;
  requestId?: string | null;
  error?: string;
}

/** fetch from inside the page, as a frontend would. */
function callFromPage(page: Page, args: { url: string; token: string; orgId: string; query: string; method?: 'GET' | 'POST'; credentials?: 'omit' | 'include' }): Promise<BrowserResult> {
  return page.evaluate(async ({ url, token, orgId, query, method, credentials }) => {
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'x-org-id': orgId };
      const init: { method: string; headers: Record<string, string>; credentials: 'omit' | 'include'; body?: string } = { method: method ?? 'POST', headers, credentials: credentials ?? 'omit' };
      let target = url;
      if (method === 'GET') {
        target = `${url}?query=${encodeURIComponent(query)}`;
      } else {
        headers['content-type'] = 'application/json';
        headers['idempotency-key'] = `browser-${Math.random()}`;
        init.body = JSON.stringify({ query });
      }
      const response = await fetch(target, init);
      return {
        ok: true,
        status: response.status,
        body: (await response.json()) as BrowserResult['body'],
        rateLimit: response.headers.get('ratelimit'),
        policy: response.headers.get('ratelimit-policy'),
        requestId: response.headers.get('x-request-id'),
      };
    } catch (error) {
      return { ok: false, error: String(error) };
    }
  }, args);
}

let api: TestApi;
let allowed: Awaited<ReturnType<typeof pageServer>>;
let other: Awaited<ReturnType<typeof pageServer>>;
let browser: Browser;
let org: TestOrg;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: the CORS test needs a real browser (Debian: apt-get install chromium, or set CHROMIUM_PATH)`);
  [allowed, other] = await Promise.all([pageServer(), pageServer()]);
  [api, browser] = await Promise.all([
    startTestApi('cors', { CORS_ORIGINS: allowed.origin }),
    chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    }),
  ]);
  org = await createOrg(api.client, 'cors');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await Promise.all([allowed?.close(), other?.close()]);
});

async function openPage(origin: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${origin}/`);
  return page;
}

const projectKeys = async () =>
  (await api.client.ok('{ projects { edges { node { key } } } }', {}, { token: org.owner.token, orgId: org.id })).projects.edges.map((e: { node: { key: string } }) => e.node.key);

test('a page from an allowed origin calls the API with its headers and reads the rate-limit headers', async () => {
  const page = await openPage(allowed.origin);
  const created = await callFromPage(page, {
    url: api.client.url,
    token: org.owner.token,
    orgId: org.id,
    query: 'mutation { createProject(input: { key: "CORS", name: "from the browser" }) { key } }',
  });
  expect(created).toMatchObject({ ok: true, status: 200, body: { data: { createProject: { key: 'CORS' } } } });
  expect(created.rateLimit).toMatch(/"caller";r=\d+;t=\d+/);
  expect(created.policy).toMatch(/"caller";q=\d+;w=\d+/);
  expect(created.requestId).toBeTruthy();
  // A GET query with the Authorization header (preflighted) works too.
  const read = await callFromPage(page, { url: api.client.url, token: org.owner.token, orgId: org.id, query: '{ project(key: "CORS") { name } }', method: 'GET' });
  expect(read).toMatchObject({ ok: true, status: 200, body: { data: { project: { name: 'from the browser' } } } });
  await page.close();
});

test('a page from another origin is refused by the browser, and its mutation never runs', async () => {
  const page = await openPage(other.origin);
  const attempt = await callFromPage(page, {
    url: api.client.url,
    token: org.owner.token,
    orgId: org.id,
    query: 'mutation { createProject(input: { key: "EVIL", name: "cross-site" }) { key } }',
  });
  expect(attempt.ok).toBe(false);
  expect(attempt.error).toMatch(/Failed to fetch/);
  expect(await projectKeys()).not.toContain('EVIL');
  await page.close();
});

test('credentials are never allowed, even for an allowed origin', async () => {
  const page = await openPage(allowed.origin);
  const attempt = await callFromPage(page, { url: api.client.url, token: org.owner.token, orgId: org.id, query: '{ viewer { id } }', credentials: 'include' });
  expect(attempt.ok).toBe(false);
  await page.close();
});

test('the preflight names the headers the API reads, and never allows credentials', async () => {
  const preflight = (origin: string) =>
    fetch(api.client.url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, x-org-id, idempotency-key, content-type' },
    });
  const yes = await preflight(allowed.origin);
  expect(yes.status).toBe(204);
  expect(yes.headers.get('access-control-allow-origin')).toBe(allowed.origin);
  expect(yes.headers.get('access-control-allow-headers')!.split(',')).toEqual(expect.arrayContaining(CORS_ALLOWED_HEADERS));
  for (const name of ['authorization', 'x-org-id', 'idempotency-key', 'content-type']) expect(CORS_ALLOWED_HEADERS).toContain(name);
  expect(yes.headers.get('access-control-allow-methods')).toMatch(/POST/);
  expect(yes.headers.get('access-control-allow-credentials')).toBeNull();
  expect(yes.headers.get('vary')).toMatch(/Origin/i);
  const no = await preflight(other.origin);
  expect(no.headers.get('access-control-allow-origin')).toBeNull();
});

test('production allows no origin unless CORS_ORIGINS names it', async () => {
  const prod = await startTestApi('corsprod', { NODE_ENV: 'production' });
  try {
    expect(prod.server.services.config.corsOrigins).toEqual([]);
    const response = await fetch(prod.client.url, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  } finally {
    await prod.stop();
  }
});
