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

const pool = () => server.database.pool as BoundedPool;
const status = (path: string) => fetch(`${server.url}${path}`).then((r) => r.status);

/** Polls an HTTP answer (nothing to wait on from outside the process); jest's timeout bounds it. */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 100));
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
  // A black hole never answers: a 503 at all means the API gave up by itself (the acquire
  // timeout), not that the database replied; and nothing stays queued behind the cut.
  for (const attempt of [read, () => write(`during ${mode} cut`)]) expectUnavailable(await attempt());
  expect(pool().waitingCount).toBe(0);
  expect(await status('/health')).toBe(200);
});

test.each(['blackhole', 'reset'] as const)('/ready during a cut (%s) says the database is unavailable in fixed words, without its error text', async (mode) => {
  proxy.cut(mode);
  const response = await fetch(`${server.url}/ready`);
  expect(response.status).toBe(503);
  expect(await response.json()).toEqual({ status: 'unavailable', reason: 'database unavailable' });
});

test('a burst during the cut: every request fails by the acquire timeout, the excess at once', async () => {
  proxy.cut('blackhole');
  const rejectedBefore = pool().rejectedCount;
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? read() : write(`burst ${i}`))));
  for (const value of results) expectUnavailable(value);
  // 4 connecting + 8 waiting at most ran into the acquire timeout; the excess was refused by
  // the full queue without waiting (the pool counts those refusals), and none is left queued.
  const rejected = pool().rejectedCount - rejectedBefore;
  expect(rejected).toBeGreaterThan(0);
  expect(rejected).toBeLessThanOrEqual(results.length);
  expect(pool().waitingCount).toBe(0);
});

test('service comes back by itself after the database returns', async () => {
  proxy.cut('blackhole');
  expectUnavailable(await read());
  proxy.restore();
  await until(async () => (await status('/ready')) === 200);
  expect((await read()).errors).toBeUndefined();
  expect((await write('after restore')).errors).toBeUndefined();
});

test('a slow database gives fast, clear refusals instead of an unbounded queue', async () => {
  // Connections opened before the slowdown: opening one takes several round trips, which at
  // 200 ms each (and on a loaded machine) can outlast the acquire timeout by themselves.
  await Promise.all(Array.from({ length: 4 }, read));
  expect(pool().idleCount).toBeGreaterThan(0);
  proxy.setLatency(200);
  // Slow, but it answers.
  expect((await read()).errors).toBeUndefined();
  const rejectedBefore = pool().rejectedCount;
  const results = await Promise.all(Array.from({ length: 40 }, read));
  const refused = results.filter((r) => r.errors !== undefined);
  expect(refused.length).toBeGreaterThan(0);
  for (const value of refused) {
    expectUnavailable(value);
    expect(value.errors![0]!.message).toMatch(/unavailable/i);
  }
  // Refusals came from the full queue, which refuses without waiting for the database; the
  // queue never held more than its bound, nothing is left in it, and the pool serves again.
  // (How many of the 40 are served depends on the machine's pace, so it is not asserted.)
  expect(pool().rejectedCount - rejectedBefore).toBeGreaterThan(0);
  expect(pool().rejectedCount - rejectedBefore).toBeLessThanOrEqual(refused.length);
  expect(pool().waitingCount).toBe(0);
  expect((await read()).errors).toBeUndefined();
});
