// What operators see, in production mode: one JSON log line per request (request id, org, user,
// operation, duration, outcome) with no secret in it, unexpected errors masked for the client but
// logged in full, and Prometheus metrics on /metrics (or on METRICS_PORT alone).
import net from 'node:net';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/observability/logger';
import { startServer, type RunningServer } from '../../src/server/start';
import { PASSWORD, signUp, uniqueSuffix, type TestUser } from '../support/fixtures';
import { GraphqlClient } from '../support/graphql-client';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { TEST_JWT_SECRET } from '../support/test-env';

type LogLine = Record<string, any>;

let database: TestDatabase;
const started: RunningServer[] = [];

async function startCapturing(env: Record<string, string> = {}): Promise<{ server: RunningServer; client: GraphqlClient; logs: LogLine[]; text(): string }> {
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw.push(chunk.toString());
      done();
    },
  });
  const config = loadConfig({ NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.appUrl, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'info', ...env });
  const server = await startServer(config, createLogger(config, sink));
  started.push(server);
  const logs: LogLine[] = [];
  return {
    server,
    client: new GraphqlClient(`${server.url}/graphql`),
    get logs() {
      logs.splice(0, logs.length, ...raw.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogLine));
      return logs;
    },
    text: () => raw.join(''),
  };
}

let api: Awaited<ReturnType<typeof startCapturing>>;
let owner: TestUser;
let orgId: string;

beforeAll(async () => {
  database = await createTestDatabase('observe');
  api = await startCapturing();
  owner = await signUp(api.client, 'observer');
  const org = await api.client.ok(`mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`, { input: { name: 'Observed', slug: `obs-${uniqueSuffix()}` } }, { token: owner.token });
  orgId = org.createOrganization.id;
  await api.client.ok(`mutation { createProject(input: { key: "OBS", name: "Observed" }) { key } }`, {}, { token: owner.token, orgId });
});

afterAll(async () => {
  for (const server of started) await server.close();
  await database?.drop();
});

const BOARD = `query Board($key: String!) { project(key: $key) { key name } }`;
const SECRET_VARIABLE = 'variable-value-that-must-not-be-logged';

test('one JSON line per request carries the request id, org, user, operation, duration and outcome, and no secret', async () => {
  const response = await api.client.request(BOARD, { key: 'OBS', unused: SECRET_VARIABLE }, { token: owner.token, orgId, headers: { 'x-request-id': 'req-board-1' } });
  expect(response.errors).toBeUndefined();
  expect(response.headers.get('x-request-id')).toBe('req-board-1');
  const traced = await api.client.request(BOARD, { key: 'OBS' }, { token: owner.token, orgId, headers: { 'x-amzn-trace-id': 'Root=1-67891233-abcdef012345678912345678', 'x-request-id': 'ignored' } });
  expect(traced.headers.get('x-request-id')).toBe('Root=1-67891233-abcdef012345678912345678');
  const generated = await api.client.request('{ __typename }');
  const generatedId = generated.headers.get('x-request-id')!;
  expect(generatedId).toMatch(/^[0-9a-f-]{36}$/);

  const lines = api.logs.filter((l) => l.msg === 'request');
  const board = lines.find((l) => l.requestId === 'req-board-1');
  expect(board).toMatchObject({ level: 30, method: 'POST', path: '/graphql', status: 200, orgId: expect.any(String), userId: expect.any(String), operationName: 'Board', operationType: 'query', outcome: 'ok', cost: 4 });
  expect(board!.durationMs).toEqual(expect.any(Number));
  expect(typeof board!.time).toBe('string');
  expect(lines.filter((l) => l.requestId === 'req-board-1')).toHaveLength(1);
  expect(lines.find((l) => l.requestId === 'Root=1-67891233-abcdef012345678912345678')).toMatchObject({ operationName: 'Board' });
  expect(lines.find((l) => l.requestId === generatedId)).toMatchObject({ outcome: 'ok', status: 200 });

  // Credentials travel in the sign-up/log-in variables and in headers: none may reach the log.
  const login = await api.client.ok(`mutation LogIn($email: String!, $password: String!) { logIn(email: $email, password: $password) { accessToken refreshToken } }`, { email: owner.email, password: PASSWORD });
  const failed = await api.client.request(`mutation LogIn($email: String!, $password: String!) { logIn(email: $email, password: $password) { accessToken } }`, { email: owner.email, password: 'wrong-password-never-logged' });
  expect(failed.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  const text = api.text();
  for (const secret of [owner.token, owner.refreshToken, login.logIn.accessToken, login.logIn.refreshToken, PASSWORD, 'wrong-password-never-logged', SECRET_VARIABLE, owner.email]) {
    expect(text).not.toContain(secret);
  }
  expect(text).not.toMatch(/authorization|bearer/i);
  expect(api.logs.filter((l) => l.msg === 'request' && l.operationName === 'LogIn').map((l) => [l.outcome, l.errorCodes])).toEqual([
    ['ok', undefined],
    ['error', ['UNAUTHENTICATED']],
  ]);
});

test('an unexpected fault is masked as INTERNAL_SERVER_ERROR with the request id, and the log holds the real error', async () => {
  // Fault injection in this test's own database: the API's role loses the right to read projects.
  const owner_ = new Client({ connectionString: database.ownerUrl });
  await owner_.connect();
  await owner_.query('REVOKE SELECT ON projects FROM tracker_app');
  try {
    const response = await fetch(api.client.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.token}`, 'x-org-id': orgId, 'x-request-id': 'req-fault-1' },
      body: JSON.stringify({ query: '{ projects { totalCount } }' }),
    });
    const body = await response.text();
    expect(JSON.parse(body).errors).toEqual([
      { message: 'Internal server error (request req-fault-1)', locations: [{ line: 1, column: 3 }], path: ['projects'], extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-fault-1' } },
    ]);
    expect(body).not.toMatch(/permission|denied|prisma|projects"?\s*table|\bat\s+\S+\s*\(|stack/i);
  } finally {
    await owner_.query('GRANT SELECT ON projects TO tracker_app');
    await owner_.end();
  }
  const logged = api.logs.find((l) => l.msg === 'unexpected error in a GraphQL request' && l.requestId === 'req-fault-1');
  expect(logged).toBeDefined();
  expect(logged!.level).toBe(50);
  expect(JSON.stringify(logged!.err)).toMatch(/permission denied for table projects/);
  expect(logged!.err.stack).toEqual(expect.any(String));
  expect(api.logs.find((l) => l.msg === 'request' && l.requestId === 'req-fault-1')).toMatchObject({ outcome: 'error', errorCodes: ['INTERNAL_SERVER_ERROR'] });
});

test('/metrics has request latency, operations, resolver errors, pool, event loop and process series', async () => {
  for (let i = 0; i < 3; i++) await api.client.ok(`query Tally { projects { totalCount } }`, {}, { token: owner.token, orgId });
  await api.client.request(`query Tally { viewer { id } }`);
  const response = await fetch(`${api.server.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await response.text();
  expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="0.1",method="POST",route="\/graphql",status_code="200"\} \d+$/m);
  expect(text).toMatch(/^http_request_duration_seconds_count\{method="POST",route="\/graphql",status_code="401"\} [1-9]/m);
  expect(text).toMatch(/^graphql_operations_total\{operation_name="Tally",operation_type="query",outcome="ok"\} 3$/m);
  expect(text).toMatch(/^graphql_operations_total\{operation_name="Tally",operation_type="query",outcome="error"\} 1$/m);
  expect(text).toMatch(/^graphql_resolver_errors_total\{code="UNAUTHENTICATED"\} [1-9]/m);
  for (const series of ['db_pool_size', 'db_pool_idle', 'db_pool_waiting', 'db_pool_max', 'db_pool_rejected_total', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']) {
    expect(text).toMatch(new RegExp(`^${series} \\d`, 'm'));
  }
  expect(text).toMatch(/^db_pool_max 10$/m);
});

test('with METRICS_PORT, /metrics is served on that port only', async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(free));
    });
  });
  const separate = await startCapturing({ METRICS_PORT: String(port) });
  expect(separate.server.metricsUrl).toBe(`http://127.0.0.1:${port}`);
  expect((await fetch(`${separate.server.url}/metrics`)).status).toBe(404);
  const metrics = await fetch(`${separate.server.metricsUrl}/metrics`);
  expect(metrics.status).toBe(200);
  expect(await metrics.text()).toMatch(/^db_pool_size \d/m);
  expect((await fetch(`${separate.server.metricsUrl}/graphql`)).status).toBe(404);
});
