// GraphQL over HTTP as the spec's reference audit (graphql-http's serverAudits) checks it, plus
// what the audit leaves to us: GET runs queries without an Apollo header but never mutations,
// simple POSTs stay refused as CSRF, status codes follow the accepted media type, and a 503
// says when to retry.
import { serverAudits } from 'graphql-http';
import pino from 'pino';
import { DbFaultProxy } from '../../../scripts/cluster/db-proxy';
import { loadConfig } from '../../src/config';
import { startServer, type RunningServer } from '../../src/server/start';
import { createOrg, type TestOrg } from '../support/fixtures';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { ADMIN_URL, TEST_JWT_SECRET } from '../support/test-env';
import { startTestApi, type TestApi } from '../support/test-server';

let api: TestApi;
let org: TestOrg;

beforeAll(async () => {
  api = await startTestApi('graphqlhttp');
  org = await createOrg(api.client, 'http');
});

afterAll(() => api?.stop());

const get = (params: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${api.client.url}?${new URLSearchParams(params)}`, { headers });

test('the graphql-http server audit passes with no error and no warning', async () => {
  const problems: string[] = [];
  for (const audit of serverAudits({ url: api.client.url })) {
    const result = await audit.fn();
    if (result.status !== 'ok') problems.push(`${result.id} ${result.name}: ${result.status}: ${result.reason}`);
  }
  expect(problems).toEqual([]);
});

test('GET runs a query as the caller without any Apollo header', async () => {
  const response = await get({ query: '{ viewer { email } }' }, { authorization: `Bearer ${org.owner.token}`, accept: 'application/graphql-response+json' });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
  expect(await response.json()).toEqual(expect.objectContaining({ data: { viewer: { email: org.owner.email } } }));
  expect(response.headers.get('ratelimit')).toMatch(/"caller";r=\d+/);
});

test('GET never runs a mutation (405), and nothing is written', async () => {
  const response = await get(
    { query: 'mutation { createProject(input: { key: "VIAGET", name: "via GET" }) { id } }' },
    { authorization: `Bearer ${org.owner.token}`, 'x-org-id': org.id },
  );
  expect(response.status).toBe(405);
  const project = await api.client.ok('{ project(key: "VIAGET") { key } }', {}, { token: org.owner.token, orgId: org.id });
  expect(project.project).toBeNull();
});

test('a simple (form or text) POST is still refused as a possible CSRF', async () => {
  const response = await fetch(api.client.url, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', authorization: `Bearer ${org.owner.token}`, 'x-org-id': org.id },
    body: JSON.stringify({ query: 'mutation { createProject(input: { key: "CSRF", name: "csrf" }) { id } }' }),
  });
  expect(response.status).toBe(400);
  expect(await response.text()).toMatch(/Cross-Site Request Forgery/);
});

test.each([
  ['application/json', 200, 'application/json'],
  [undefined, 200, 'application/json'],
  ['application/graphql-response+json', 400, 'application/graphql-response+json'],
])('a validation error with Accept %s is HTTP %i', async (accept, status, contentType) => {
  const response = await fetch(api.client.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) },
    body: JSON.stringify({ query: '{ noSuchField }' }),
  });
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain(contentType);
  const body = (await response.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
  expect(body.errors[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  expect(body).not.toHaveProperty('data');
});

test.each([
  ['application/json', 200],
  ['application/graphql-response+json', 400],
])('variables that do not coerce, with Accept %s, are HTTP %i and BAD_USER_INPUT', async (accept, status) => {
  const response = await fetch(api.client.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept },
    body: JSON.stringify({ query: 'query($id: ID!) { node(id: $id) { id } }', variables: { id: null } }),
  });
  expect(response.status).toBe(status);
  const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
  expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
});

test('errors raised while running keep their own status: 401 UNAUTHENTICATED, 200 NOT_FOUND', async () => {
  const response = await api.client.request('{ viewer { id } }');
  expect(response.status).toBe(401);
  expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  const notFound = await api.client.request(`mutation { watchIssue(key: "NOPE-1") { id } }`, {}, { token: org.owner.token, orgId: org.id });
  expect(notFound.status).toBe(200);
  expect(notFound.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
});

describe('with the database down', () => {
  let database: TestDatabase;
  let proxy: DbFaultProxy;
  let server: RunningServer;

  beforeAll(async () => {
    database = await createTestDatabase('http503');
    const admin = new URL(ADMIN_URL);
    proxy = new DbFaultProxy({ host: admin.hostname, port: Number(admin.port || 5432) });
    const url = new URL(database.appUrl);
    url.port = String(await proxy.start());
    const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: url.toString(), JWT_SECRET: TEST_JWT_SECRET, DB_ACQUIRE_TIMEOUT_MS: '1000' });
    server = await startServer(config, pino({ level: 'silent' }));
  });

  afterAll(async () => {
    proxy?.restore();
    await server?.close();
    await proxy?.close();
    await database?.drop();
  });

  test('SERVICE_UNAVAILABLE (503) carries Retry-After', async () => {
    proxy.cut('reset');
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${org.owner.token}`, 'x-org-id': org.id },
      body: JSON.stringify({ query: '{ projects(first: 1) { totalCount } }' }),
    });
    expect(response.status).toBe(503);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});
