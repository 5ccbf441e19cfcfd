// Redis down, by a TCP proxy this test owns in front of the machine's Redis (which is never
// touched): the API keeps answering, counts budgets in each instance's memory meanwhile (still
// refusing past the limit), logs the outage once, and shares budgets again once Redis returns.
import net from 'node:net';
import { DbFaultProxy } from '../../../scripts/cluster/db-proxy';
import { createOrg, type TestOrg } from '../support/fixtures';
import { freshKeyPrefix, parseRateLimit, RATE_LIMIT_QUERY, startLoggedServer, type LoggedServer, type RateLimitData } from '../support/rate-limit-servers';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { TEST_REDIS_URL } from '../support/test-env';

const LIMIT = 1000;
let database: TestDatabase;
const servers: LoggedServer[] = [];

beforeAll(async () => {
  database = await createTestDatabase('redisdown');
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.server.close()));
  await database?.drop();
});

async function start(redisUrl: string, env: Record<string, string> = {}): Promise<LoggedServer> {
  const started = await startLoggedServer(database, { REDIS_URL: redisUrl, RATE_LIMIT_KEY_PREFIX: freshKeyPrefix(), RATE_LIMIT_CALLER_POINTS: String(LIMIT), ...env });
  servers.push(started);
  return started;
}

const said = (server: LoggedServer, pattern: RegExp) => server.logs.filter((line) => pattern.test(line.msg));
const OUTAGE = /Redis is unavailable/;
const RECOVERY = /Redis is back/;

/** A port on which nothing listens. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

test('Redis unreachable from the start: requests are served and still limited, per instance, and the outage is logged once', async () => {
  const url = new URL(TEST_REDIS_URL);
  url.port = String(await closedPort());
  const api = await start(url.toString(), { RATE_LIMIT_CALLER_POINTS: '100' });
  const org = await createOrg(api.client, 'unreachable');
  const caller = { token: org.users.VIEWER.token, orgId: org.id };
  const first = await api.client.request<RateLimitData>(RATE_LIMIT_QUERY, {}, caller);
  expect(first.status).toBe(200);
  // Joining (accepting the invitation) was charged already; this request is paid for too.
  expect(first.data!.rateLimit.remaining).toBeLessThanOrEqual(100 - first.data!.rateLimit.cost);
  expect(parseRateLimit(first).caller!.r).toBe(first.data!.rateLimit.remaining);
  let last = first;
  while (last.status === 200) last = await api.client.request<RateLimitData>(RATE_LIMIT_QUERY, {}, caller);
  expect(last.status).toBe(429);
  expect(last.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  expect(Number(last.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(said(api, OUTAGE)).toHaveLength(1);
  expect(said(api, OUTAGE)[0]!.level).toBe(40); // warn
});

describe('Redis cut mid-run, behind a proxy', () => {
  let proxy: DbFaultProxy;
  let a: LoggedServer;
  let b: LoggedServer;
  let org: TestOrg;
  // Each test spends as another member: in-process budgets remember earlier outages in the window.
  let role: 'MEMBER' | 'ADMIN' | 'VIEWER' = 'MEMBER';
  const ask = (server: LoggedServer) => server.client.request<RateLimitData>(RATE_LIMIT_QUERY, {}, { token: org.users[role].token, orgId: org.id });
  const isDegraded = (server: LoggedServer) => said(server, OUTAGE).length > said(server, RECOVERY).length;

  beforeAll(async () => {
    const target = new URL(TEST_REDIS_URL);
    proxy = new DbFaultProxy({ host: target.hostname, port: Number(target.port || 6379) });
    target.port = String(await proxy.start());
    // Long enough that a stalled event loop on a busy machine never passes for an outage.
    const env = { RATE_LIMIT_KEY_PREFIX: freshKeyPrefix(), REDIS_TIMEOUT_MS: '3000' };
    a = await start(target.toString(), env);
    b = await start(target.toString(), env);
    org = await createOrg(a.client, 'redis-cut');
  });

  afterEach(() => {
    proxy.restore();
    proxy.setLatency(0);
  });

  afterAll(() => proxy?.close());

  /** Asks until the instance has logged that Redis is back: the event itself, not a delay (jest's timeout bounds it). */
  async function untilRecovered(server: LoggedServer): Promise<void> {
    while (isDegraded(server)) {
      expect((await ask(server)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  test.each([
    ['reset', 'MEMBER'],
    ['blackhole', 'ADMIN'],
  ] as const)('cut (%s): served from memory meanwhile, shared again afterwards', async (mode, spender) => {
    role = spender;
    await untilRecovered(a);
    await untilRecovered(b);
    // Shared: B's answer includes A's spending.
    const onA = (await ask(a)).data!.rateLimit;
    const onB = (await ask(b)).data!.rateLimit;
    expect(onB.remaining).toBe(onA.remaining - onB.cost);
    const outagesBefore = said(a, OUTAGE).length;

    proxy.cut(mode);
    const during = await ask(a);
    expect(during.status).toBe(200);
    expect(during.headers.get('ratelimit-policy')).toContain(`"caller";q=${LIMIT}`);
    // The in-process budget knows only what this instance spent since the outage began.
    expect(during.data!.rateLimit.remaining).toBeGreaterThan(onB.remaining);
    expect((await ask(b)).status).toBe(200);
    expect(said(a, OUTAGE)).toHaveLength(outagesBefore + 1);

    proxy.restore();
    await untilRecovered(a);
    await untilRecovered(b);
    // Redis kept counting what it had: budgets continue from the shared count, not afresh.
    const afterA = (await ask(a)).data!.rateLimit;
    const afterB = (await ask(b)).data!.rateLimit;
    expect(afterA.remaining).toBeLessThan(onB.remaining);
    expect(afterB.remaining).toBe(afterA.remaining - afterB.cost);
  });

  test('a Redis that hangs (connected, never answering) is an outage too: the request is served from memory', async () => {
    role = 'VIEWER';
    await untilRecovered(a);
    const outagesBefore = said(a, OUTAGE).length;
    proxy.setLatency(20_000); // far past REDIS_TIMEOUT_MS
    const hung = await ask(a);
    expect(hung.status).toBe(200);
    expect(hung.headers.get('ratelimit')).toMatch(/"caller";r=\d+;t=\d+/);
    expect(said(a, OUTAGE)).toHaveLength(outagesBefore + 1);
    expect(isDegraded(a)).toBe(true);
  });
});
