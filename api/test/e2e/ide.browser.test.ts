// GraphiQL on GET /graphql: served to browsers only where enabled, GraphQL untouched for
// everyone else, and in a real headless Chromium the page runs its default query on the demo
// workspace while every request stays on the server's own origin.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { buildIde } from '../../../ide/build';
import { startTestApi, type TestApi } from '../support/test-server';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '../../..');
const ARTIFACTS = path.join(ROOT, '.artifacts');
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const getPage = (baseUrl: string) => fetch(`${baseUrl}/graphql`, { headers: { accept: BROWSER_ACCEPT } });

async function expectNoIde(baseUrl: string): Promise<void> {
  const page = await getPage(baseUrl);
  expect(page.headers.get('content-type')).not.toMatch(/html/);
  expect(await page.text()).not.toContain('ide-settings');
  const asset = await fetch(`${baseUrl}/graphql/ide/main.js`, { headers: { accept: '*/*' } });
  expect(asset.headers.get('content-type')).not.toMatch(/javascript/);
}

// The page is useless without the bundle, and the bundle must match the sources under test.
beforeAll(() => buildIde(), 60_000);

describe('GET /graphql', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('ide');
  });
  afterAll(() => api?.stop());

  test('a browser gets the IDE page, locked to this origin, without headers where there is no demo', async () => {
    const page = await getPage(api.server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'.*connect-src 'self'/);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/graphql/ide/main.js"></script>');
    expect(html).toContain('project(key: \\"WEB\\")');
    expect(html).not.toMatch(/Bearer|x-org-id/);
    const worker = await fetch(`${api.server.url}/graphql/ide/workers/graphql.worker.js`);
    expect(worker.status).toBe(200);
    expect(worker.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
  });

  test('everything that is not a browser still gets GraphQL', async () => {
    const get = await fetch(`${api.server.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
    expect(await get.json()).toEqual({ data: { __typename: 'Query' } });
    expect(await api.client.ok('{ __typename }')).toEqual({ __typename: 'Query' });
  });

  test('GRAPHQL_IDE=false serves no IDE', async () => {
    const off = await startTestApi('ideoff', { GRAPHQL_IDE: 'false' });
    try {
      await expectNoIde(off.server.url);
    } finally {
      await off.stop();
    }
  });

  test('production serves no IDE unless asked to', async () => {
    const prod = await startTestApi('ideprod', { NODE_ENV: 'production' });
    try {
      expect(prod.server.services.config.graphqlIde).toBe(false);
      await expectNoIde(prod.server.url);
    } finally {
      await prod.stop();
    }
  });
});

// The demo seed exists only where `npm start` creates it: development on the embedded
// database (PGlite, which cannot load inside jest's VM). So this runs exactly `npm start`'s
// entry point in a child process with a fresh DATA_DIR: ~15-30 s, but no test-only path.
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function startDevServer(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  // A minimal environment, so a DATABASE_URL or GRAPHQL_IDE set for CI cannot leak in.
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'development', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'api/src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 100_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the dev server exited with ${child.exitCode}:\n${output}`);
    const ready = await fetch(`${url}/ready`).then((r) => r.ok, () => false);
    if (ready) return { url, child };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGKILL');
  throw new Error(`the dev server was not ready within 100 s:\n${output}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

describe('in a real browser', () => {
  let server: { url: string; child: ChildProcess } | undefined;
  let browser: Browser | undefined;
  let dataDir: string | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: the IDE test needs a real browser (Debian: apt-get install chromium, or set CHROMIUM_PATH)`);
    }
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'tracker-ide-'));
    [server, browser] = await Promise.all([
      startDevServer(dataDir),
      // launch() gives a fresh temporary profile: no stored tabs or headers from earlier runs.
      chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
      }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (server) await stop(server.child);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  test('opens with the demo headers, runs the board query from the run button, and talks to no other host', async () => {
    const origin = new URL(server!.url);
    const context = await browser!.newContext({ viewport: { width: 1440, height: 1000 } });
    const page = await context.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    // Context-wide, so requests made by Monaco's workers are recorded too.
    context.on('request', (request) => requests.push(request.url()));
    page.on('websocket', (socket) => requests.push(socket.url()));
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });

    await page.goto(`${server!.url}/graphql`);
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 30_000 });
    // The demo's token and organization, put there by the server: the query below needs both.
    const headersEditor = page.locator('.graphiql-editor-tool');
    await headersEditor.getByText(/"Bearer ey/).waitFor();
    await headersEditor.getByText(/"x-org-id"/).waitFor();
    await page.getByText('createApiToken').waitFor();

    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response');
    await response.getByText(/WEB-\d+/).first().waitFor({ timeout: 30_000 });
    const shown = await response.innerText();
    expect(shown).toContain('Web app');
    expect(shown).not.toContain('"errors"');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'ide-graphiql.png') });
    await context.close();

    expect(requests).toContain(`${server!.url}/graphql/ide/workers/graphql.worker.js`);
    const foreign = requests.filter((url) => {
      const { protocol, host } = new URL(url);
      return !(protocol === 'data:' || protocol === 'blob:' || host === origin.host);
    });
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
  });
});
