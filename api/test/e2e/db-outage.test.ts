// The API with its database lost, slowed down and given back, through a TCP proxy this test owns
// (the machine's PostgreSQL is never touched): /health stays up while /ready reports the
// outage, requests fail fast with SERVICE_UNAVAILABLE/503, the pool's wait queue is bounded,
// and service comes back by itself.
import pino from 'pino';
import { DbFaultProxy } from '../../../scripts/cluster/db-proxy';
import type { BoundedPool } from '../../src/db/bounded-pool';
import { loadConfig } from '../../src/config';
import { startServer, type RunningServer } from '../../src/server/start';
import { createOrg, createProject, type TestOrg } from '../support/fixtures';
import { GraphqlClient, errorCode, type GraphqlResponse } from '../support/graphql-client';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { ADMIN_URL, TEST_JWT_SECRET } from '../support/test-env';

const ACQUIRE_TIMEOUT_MS = 1000;
/** Scheduling and HTTP on a busy CI machine, on top of the pool's own bound. */
const SLACK_MS = 700;

let database: TestDatabase;
let proxy: DbFaultProxy;
let server: RunningServer;
let client: GraphqlClient;
let org: TestOrg;

beforeAll(async () => {
  database = await createTestDatabase('outage');
  const admin = new URL(ADMIN_URL);
  proxy = new DbFaultProxy({ host: admin.hostname, port: Number(admin.port || 5432) });
  const url = new URL(database.appUrl);
  url.port = String(await proxy.start());
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: url.toString(),
    JWT_SECRET: TEST_JWT_SECRET,
    DB_POOL_MAX: '4',
    DB_POOL_MAX_WAITING: '8',
    DB_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_TIMEOUT_MS),
    DB_STATEMENT_TIMEOUT_MS: '2000',
  });
  server = await startServer(config, pino({ level: 'silent' }));
  client = new GraphqlClient(`${server.url}/graphql`);
  org = await createOrg(client, 'outage');
  await createProject(client, org, 'OUT');
});

afterAll(async () => {
  proxy?.restore();
  await server?.close();
  await proxy?.close();
  await database?.drop();
});

afterEach(() => {
  proxy.restore();
  proxy.setLatency(0);
});

const read = () => client.request('{ issues(first: 5) { totalCount } }', {}, { token: org.owner.token, orgId: org.id });
const write = (title: string) =>
  client.request('mutation($input: CreateIssueInput!) { createIssue(input: $input) { key } }', { input: { projectKey: 'OUT', title } }, { token: org.owner.token, orgId: org.id });

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

const pool = () => server.database.pool as BoundedPool;
const status = (path: string) => fetch(`${server.url}${path}`).then((r) => r.status);

async function waitFor(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > withinMs) throw new Error(`not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now() - started;
}

function expectUnavailable(response: GraphqlResponse): void {
  expect(errorCode(response)).toBe('SERVICE_UNAVAILABLE');
  expect(response.status).toBe(503);
}

test.each(['blackhole', 'reset'] as const)('database cut (%s): /health 200, /ready 503, requests fail fast with 503', async (mode) => {
  expect((await read()).errors).toBeUndefined();
  proxy.cut(mode);
  expect(await status('/health')).toBe(200);
  expect(await status('/ready')).toBe(503);
  for (const attempt of [read, () => write(`during ${mode} cut`)]) {
    const { value, ms } = await timed(attempt);
    expectUnavailable(value);
    expect(ms).toBeLessThan(ACQUIRE_TIMEOUT_MS + SLACK_MS);
  }
  expect(await status('/health')).toBe(200);
});

test.each(['blackhole', 'reset'] as const)('/ready during a cut (%s) says the database is unavailable in fixed words, without its error text', async (mode) => {
  proxy.cut(mode);
  const response = await fetch(`${server.url}/ready`);
  expect(response.status).toBe(503);
  expect(await response.json()).toEqual({ status: 'unavailable', reason: 'database unavailable' });
});

test('a burst during the cut: every request fails within the acquire timeout, the excess at once', async () => {
  proxy.cut('blackhole');
  const rejectedBefore = pool().rejectedCount;
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => timed(() => (i % 2 ? read() : write(`burst ${i}`)))));
  for (const { value, ms } of results) {
    expectUnavailable(value);
    expect(ms).toBeLessThan(ACQUIRE_TIMEOUT_MS + SLACK_MS);
  }
  // 4 connecting + 8 waiting at most; the others were refused without queueing.
  const rejected = pool().rejectedCount - rejectedBefore;
  expect(rejected).toBeGreaterThan(0);
  expect(results.filter((r) => r.ms < ACQUIRE_TIMEOUT_MS * 0.8).length).toBeGreaterThan(0);
});

test('service comes back by itself after the database returns', async () => {
  proxy.cut('blackhole');
  expectUnavailable(await read());
  proxy.restore();
  const recoveredIn = await waitFor(async () => (await status('/ready')) === 200, 5_000);
  expect(recoveredIn).toBeLessThan(5_000);
  expect((await read()).errors).toBeUndefined();
  expect((await write('after restore')).errors).toBeUndefined();
});

test('a slow database gives fast, clear refusals instead of an unbounded queue', async () => {
  proxy.setLatency(200);
  const rejectedBefore = pool().rejectedCount;
  const results = await Promise.all(Array.from({ length: 40 }, () => timed(read)));
  const ok = results.filter((r) => r.value.errors === undefined);
  const refused = results.filter((r) => r.value.errors !== undefined);
  expect(ok.length).toBeGreaterThan(0);
  expect(refused.length).toBeGreaterThan(0);
  for (const { value } of refused) {
    expectUnavailable(value);
    expect(value.errors![0]!.message).toMatch(/unavailable/i);
  }
  // Refusals from the full queue do not wait for the database at all: they come back before
  // even the quickest success (several 100 ms round trips).
  expect(Math.min(...refused.map((r) => r.ms))).toBeLessThan(Math.min(...ok.map((r) => r.ms)));
  expect(pool().rejectedCount).toBeGreaterThan(rejectedBefore);
  expect(pool().waitingCount).toBe(0);
});
