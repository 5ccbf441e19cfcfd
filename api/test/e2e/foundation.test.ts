// The stack end to end: health, readiness, a tenant-scoped query, and bad input answered with
// the contract's error codes while the process keeps serving and nothing is written.
import { startTestApi, type TestApi } from '../support/test-server';
import { createOrg, createProject, type TestOrg } from '../support/fixtures';
import { errorCode } from '../support/graphql-client';

let api: TestApi;
let org: TestOrg;

beforeAll(async () => {
  api = await startTestApi('foundation');
  org = await createOrg(api.client, 'found');
  await createProject(api.client, org, 'WEB');
  await createProject(api.client, org, 'API');
});

afterAll(() => api?.stop());

test('health answers without touching the database and ready checks it', async () => {
  const health = await fetch(`${api.server.url}/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok' });
  const ready = await fetch(`${api.server.url}/ready`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ready' });
});

test('lists the projects of the organization named by x-org-id', async () => {
  const data = await api.client.ok(`{ projects { totalCount edges { node { key name } } } }`, {}, { token: org.users.VIEWER.token, orgId: org.id });
  expect(data.projects.totalCount).toBe(2);
  expect(data.projects.edges.map((e: { node: { key: string } }) => e.node.key)).toEqual(['API', 'WEB']);
});

test('an org-scoped field without x-org-id is BAD_USER_INPUT naming the header', async () => {
  const response = await api.client.request(`{ projects { totalCount } }`, {}, { token: org.owner.token });
  expect(errorCode(response)).toBe('BAD_USER_INPUT');
  expect(response.errors![0]!.extensions!.field).toBe('x-org-id');
});

test('a malformed x-org-id is BAD_USER_INPUT, and a valid id of an organization you are not in is FORBIDDEN', async () => {
  const malformed = await api.client.request(`{ projects { totalCount } }`, {}, { token: org.owner.token, orgId: 'not-an-id' });
  expect(errorCode(malformed)).toBe('BAD_USER_INPUT');
  const other = await createOrg(api.client, 'other');
  const foreign = await api.client.request(`{ projects { totalCount } }`, {}, { token: org.owner.token, orgId: other.id });
  expect(errorCode(foreign)).toBe('FORBIDDEN');
  expect(foreign.data).toBeNull();
});

test('an unknown project key is null, not an error', async () => {
  const data = await api.client.ok(`{ project(key: "NOPE") { key } }`, {}, { token: org.owner.token, orgId: org.id });
  expect(data.project).toBeNull();
});

test('malformed JSON is BAD_USER_INPUT with HTTP 400 and the server keeps serving', async () => {
  const response = await fetch(api.client.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
  expect(response.status).toBe(400);
  const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
  expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  const health = await fetch(`${api.server.url}/health`);
  expect(health.status).toBe(200);
});

test('an unknown field is GRAPHQL_VALIDATION_FAILED and writes nothing', async () => {
  const response = await api.client.request(`mutation { createProject(input: { key: "NEW", name: "x" }) { key nope } }`, {}, { token: org.owner.token, orgId: org.id });
  expect(response.status).toBe(400);
  expect(errorCode(response)).toBe('GRAPHQL_VALIDATION_FAILED');
  const data = await api.client.ok(`{ project(key: "NEW") { key } }`, {}, { token: org.owner.token, orgId: org.id });
  expect(data.project).toBeNull();
});

test('a request without a token to an authenticated field is UNAUTHENTICATED with HTTP 401', async () => {
  const response = await api.client.request(`{ viewer { email } }`);
  expect(errorCode(response)).toBe('UNAUTHENTICATED');
  expect(response.status).toBe(401);
});
