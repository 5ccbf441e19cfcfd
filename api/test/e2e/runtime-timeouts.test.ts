// Timeouts that match the load balancer and fail fast: idle keep-alive connections outlive the
// ALB's 60 s idle timeout, a statement past DB_STATEMENT_TIMEOUT_MS is cancelled, and a request
// that cannot get a pooled connection gives up after DB_ACQUIRE_TIMEOUT_MS with SERVICE_UNAVAILABLE.
// (An unreachable database, as opposed to a busy pool, is covered by db-outage.test.ts.)
import net from 'node:net';
import { Client } from 'pg';
import { signUp, uniqueSuffix, type TestUser } from '../support/fixtures';
import { errorCode } from '../support/graphql-client';
import { startTestApi, type TestApi } from '../support/test-server';

const STATEMENT_TIMEOUT_MS = 300;

let api: TestApi;
let owner: TestUser;
let orgId: string;

beforeAll(async () => {
  api = await startTestApi('timeouts', { DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) });
  owner = await signUp(api.client, 'timeouts');
  const org = await api.client.ok(`mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`, { input: { name: 'T', slug: `t-${uniqueSuffix()}` } }, { token: owner.token });
  orgId = org.createOrganization.id;
});

afterAll(() => api?.stop());

/** Sessions of the API's role waiting on a lock, seen from a session outside any transaction. */
async function blockedQueries(databaseUrl: string): Promise<number> {
  const observer = new Client({ connectionString: databaseUrl });
  await observer.connect();
  try {
    const { rows } = await observer.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND usename = 'tracker_app' AND wait_event_type = 'Lock'`,
    );
    return rows[0].n as number;
  } finally {
    await observer.end();
  }
}

/** Resolves once the API's query waits on the lock the test holds (jest's timeout bounds it). */
async function untilBlocked(databaseUrl: string): Promise<void> {
  while ((await blockedQueries(databaseUrl)) === 0) await new Promise((resolve) => setTimeout(resolve, 25));
}

/** One raw HTTP/1.1 exchange on an open socket; resolves with the response head. */
function exchange(socket: net.Socket, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString();
      if (head.includes('\r\n\r\n')) {
        socket.off('data', onData);
        resolve(head.split('\r\n\r\n')[0]!);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n`);
  });
}

test('an idle keep-alive connection outlives the ALB idle timeout: Keep-Alive 65 s, headers timeout 66 s', async () => {
  expect(api.server.httpServer.keepAliveTimeout).toBe(65_000);
  expect(api.server.httpServer.headersTimeout).toBe(66_000);
  const socket = net.connect(api.server.port, '127.0.0.1');
  try {
    expect(await exchange(socket, '/health')).toMatch(/^Keep-Alive: timeout=65$/im);
    // Node's default would have closed it after 5 s of idleness.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    expect(socket.destroyed).toBe(false);
    expect(await exchange(socket, '/health')).toMatch(/^HTTP\/1\.1 200/);
  } finally {
    socket.destroy();
  }
});

test('a statement running past DB_STATEMENT_TIMEOUT_MS is cancelled and answered SERVICE_UNAVAILABLE, then service goes on', async () => {
  const blocker = new Client({ connectionString: api.database.ownerUrl });
  await blocker.connect();
  await blocker.query('BEGIN');
  await blocker.query('LOCK TABLE projects IN ACCESS EXCLUSIVE MODE');
  let elapsed: number;
  try {
    const started = Date.now();
    const response = await api.client.request('{ projects { totalCount } }', {}, { token: owner.token, orgId });
    elapsed = Date.now() - started;
    expect(errorCode(response)).toBe('SERVICE_UNAVAILABLE');
    expect(response.status).toBe(503);
    expect(response.errors![0]!.message).toMatch(/unavailable/i);
    // Answered while the lock is still held, and the statement is gone from the database
    // (cancelled, not left waiting behind the answer).
    expect(await blockedQueries(api.database.ownerUrl)).toBe(0);
  } finally {
    await blocker.query('COMMIT');
    await blocker.end();
  }
  expect(elapsed).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT_MS);
  const after = await api.client.request('{ projects { totalCount } }', {}, { token: owner.token, orgId });
  expect(after.errors).toBeUndefined();
});

test('when every pooled connection is busy, a request waits at most DB_ACQUIRE_TIMEOUT_MS and fails SERVICE_UNAVAILABLE; /health stays 200', async () => {
  const small = await startTestApi('acquire', { DB_POOL_MAX: '1', DB_ACQUIRE_TIMEOUT_MS: '500' });
  const user = await signUp(small.client, 'acquire');
  const org = await small.client.ok(`mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`, { input: { name: 'A', slug: `a-${uniqueSuffix()}` } }, { token: user.token });
  const caller = { token: user.token, orgId: org.createOrganization.id };
  const blocker = new Client({ connectionString: small.database.ownerUrl });
  await blocker.connect();
  await blocker.query('BEGIN');
  await blocker.query('LOCK TABLE projects IN ACCESS EXCLUSIVE MODE');
  try {
    // Holds the pool's only connection, waiting on the lock.
    const holder = small.client.request('{ projects { totalCount } }', {}, caller);
    let holderAnswered = false;
    void holder.finally(() => (holderAnswered = true));
    await untilBlocked(small.database.ownerUrl);
    const started = Date.now();
    const response = await small.client.request('{ organization { name } }', {}, caller);
    const elapsed = Date.now() - started;
    expect(errorCode(response)).toBe('SERVICE_UNAVAILABLE');
    expect(response.status).toBe(503);
    // It gave up by the acquire timeout (no sooner), not by getting the connection at last: the
    // holder still had it, waiting on the lock.
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(holderAnswered).toBe(false);
    expect(await blockedQueries(small.database.ownerUrl)).toBe(1);
    expect((await fetch(`${small.server.url}/health`)).status).toBe(200);
    await blocker.query('COMMIT');
    expect((await holder).errors).toBeUndefined();
  } finally {
    await blocker.end();
    await small.stop();
  }
});
