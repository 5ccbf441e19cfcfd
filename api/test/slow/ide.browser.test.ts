// GraphiQL on GET /graphql: served to browsers only where enabled, GraphQL untouched for
// everyone else, and in a real headless Chromium the page runs its default query on the demo
// workspace while every request stays on the server's own origin.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { buildIde } from '../../../ide/build';
import { PROJECT_ROOT } from '../../src/project-root';
import { startChildServer, type ChildServer } from '../support/child-server';
import { startTestApi, type TestApi } from '../support/test-server';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARTIFACTS = path.join(PROJECT_ROOT, '.artifacts');
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
    expect(await get.json()).toMatchObject({ data: { __typename: 'Query' } });
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
// PostgreSQL. So this runs `npm start`'s entry point as a child process on a fresh DATA_DIR:
// 10-30 s of migrating and seeding, but no test-only path.
describe('in a real browser', () => {
  let server: ChildServer | undefined;
  let browser: Browser | undefined;
  let dataDir: string | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: the IDE test needs a real browser. Install it (Debian/Ubuntu: sudo apt-get install chromium; macOS: brew install --cask chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary`);
    }
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'tracker-ide-'));
    [server, browser] = await Promise.all([
      startChildServer({ DATA_DIR: dataDir, NODE_ENV: 'development', LOG_LEVEL: 'warn' }, 150_000),
      // launch() gives a fresh temporary profile: no stored tabs or headers from earlier runs.
      chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
      }),
    ]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop('SIGTERM'); // stops its embedded PostgreSQL too (SIGKILL would leave it running)
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  test('opens with the demo headers, runs the board query from the run button, and talks to no other host', async () => {
    const origin = new URL(server!.baseUrl);
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

    // Monaco starts its GraphQL worker lazily; wait for it instead of racing it.
    const graphqlWorker = context.waitForEvent('request', { predicate: (request) => request.url().endsWith('/graphql/ide/workers/graphql.worker.js'), timeout: 60_000 });
    await page.goto(`${server!.baseUrl}/graphql`);
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 30_000 });
    // The demo's token and organization, put there by the server: the query below needs both.
    const tools = page.locator('.graphiql-editor-tool');
    await tools.getByText('"x-org-id"').waitFor();
    expect(await tools.innerText()).toMatch(/"Authorization":\s+"Bearer\s+eyJ/);
    await page.getByText('createApiToken').waitFor();

    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response');
    await response.getByText(/WEB-\d+/).first().waitFor({ timeout: 30_000 });
    // Monaco renders spaces as no-break spaces.
    const shown = (await response.innerText()).replace(/\u00a0/g, ' ');
    expect(shown).toContain('Web app');
    expect(shown).not.toContain('"errors"');

    await graphqlWorker;
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'ide-graphiql.png') });
    await context.close();

    expect(requests).toContain(`${server!.baseUrl}/graphql/ide/workers/graphql.worker.js`);
    const foreign = requests.filter((url) => {
      const { protocol, host } = new URL(url);
      return !(protocol === 'data:' || protocol === 'blob:' || host === origin.host);
    });
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
  }, 120_000);
});
