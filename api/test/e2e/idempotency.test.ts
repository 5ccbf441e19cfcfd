// Idempotency-Key on mutations, over real HTTP against a real server and database: replay,
// mismatch, in-flight duplicates, retryable failures that store nothing, expiry, and a process
// killed with SIGKILL in the middle of a keyed write.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startChildServer } from '../support/child-server';
import { createOrg, createProject, signUp, type TestOrg } from '../support/fixtures';
import { GraphqlClient, errorCode, type GraphqlResponse } from '../support/graphql-client';
import { startTestApi, type TestApi } from '../support/test-server';
import { TEST_JWT_SECRET } from '../support/test-env';

const CREATE = `mutation($input: CreateIssueInput!) { createIssue(input: $input) { id key number title } }`;

let api: TestApi;
let org: TestOrg;
let owner: Client;

beforeAll(async () => {
  // A short statement timeout lets a test hold a row lock to make a request slow, or fail it.
  // Long enough that a request held on a locked row outlasts what a loaded machine takes to send
  // the duplicate; short enough for the test of a statement that times out.
  api = await startTestApi('idempotency', { DB_STATEMENT_TIMEOUT_MS: '4000' });
  org = await createOrg(api.client, 'idem');
  await createProject(api.client, org, 'IDM');
  owner = new Client({ connectionString: api.database.ownerUrl });
  owner.on('error', () => undefined);
  await owner.connect();
});

afterAll(async () => {
  await owner?.end();
  await api?.stop();
});

function create(title: string, key: string | undefined, client: GraphqlClient = api.client, token = org.owner.token): Promise<GraphqlResponse> {
  return client.request(CREATE, { input: { projectKey: 'IDM', title } }, { token, orgId: org.id, headers: key ? { 'idempotency-key': key } : {} });
}

async function countTitled(title: string): Promise<number> {
  const { rows } = await owner.query<{ n: string }>('SELECT count(*) AS n FROM issues WHERE title = $1', [title]);
  return Number(rows[0]!.n);
}

/** Holds the project row lock (as createIssue takes it) until the returned release is called. */
async function lockProject(): Promise<() => Promise<void>> {
  const locker = new Client({ connectionString: api.database.ownerUrl });
  locker.on('error', () => undefined);
  await locker.connect();
  await locker.query('BEGIN');
  await locker.query("SELECT 1 FROM projects WHERE key = 'IDM' FOR UPDATE");
  return async () => {
    await locker.query('COMMIT');
    await locker.end();
  };
}

/** Resolves once a request of the API waits on the row lockProject() holds (jest's timeout bounds it). */
async function untilBlocked(): Promise<void> {
  const observer = new Client({ connectionString: api.database.ownerUrl });
  await observer.connect();
  try {
    const blocked = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND usename = 'tracker_app' AND wait_event_type = 'Lock'`;
    while ((await observer.query(blocked)).rows[0].n === 0) await new Promise((resolve) => setTimeout(resolve, 25));
  } finally {
    await observer.end();
  }
}

test('a retry with the same key and body replays the original result without writing again', async () => {
  const key = randomUUID();
  const first = await create('replayed', key);
  expect(first.errors).toBeUndefined();
  const second = await create('replayed', key);
  expect(second.status).toBe(200);
  expect(second.data).toEqual(first.data);
  expect(second.headers.get('idempotent-replayed')).toBe('true');
  expect(await countTitled('replayed')).toBe(1);
});

test('the same key with a different body is refused with BAD_USER_INPUT', async () => {
  const key = randomUUID();
  expect((await create('original', key)).errors).toBeUndefined();
  const other = await create('different', key);
  expect(errorCode(other)).toBe('BAD_USER_INPUT');
  expect(other.errors![0]!.extensions!.field).toBe('Idempotency-Key');
  expect(other.errors![0]!.message).toMatch(/already used with a different request/);
  expect(await countTitled('different')).toBe(0);
});

test('keys are per caller: another member using the same key gets their own write', async () => {
  const key = randomUUID();
  await create('per-caller', key);
  const member = await create('per-caller', key, api.client, org.users.MEMBER.token);
  expect(member.errors).toBeUndefined();
  expect(member.headers.get('idempotent-replayed')).toBeNull();
  expect(await countTitled('per-caller')).toBe(2);
});

test('a duplicate arriving while the first is still running is refused with CONFLICT and a retry hint', async () => {
  const key = randomUUID();
  const release = await lockProject();
  const first = create('in-flight', key);
  await untilBlocked();
  const duplicate = await create('in-flight', key);
  await release();
  expect(errorCode(duplicate)).toBe('CONFLICT');
  expect(duplicate.errors![0]!.extensions!.retryAfterSeconds).toBe(1);
  expect(duplicate.headers.get('retry-after')).toBe('1');
  expect((await first).errors).toBeUndefined();
  const retried = await create('in-flight', key);
  expect(retried.headers.get('idempotent-replayed')).toBe('true');
  expect(await countTitled('in-flight')).toBe(1);
});

test('a retryable failure stores nothing and applies nothing; the retry then executes once', async () => {
  const key = randomUUID();
  const release = await lockProject();
  // The locked project row makes createIssue hit the statement timeout.
  const failed = await create('timed-out', key);
  await release();
  expect(errorCode(failed)).toBe('SERVICE_UNAVAILABLE');
  expect(failed.status).toBe(503);
  expect(failed.data ?? null).toBeNull();
  const retried = await create('timed-out', key);
  expect(retried.errors).toBeUndefined();
  expect(await countTitled('timed-out')).toBe(1);
});

test('a client error is the stored outcome: the retry replays it', async () => {
  const key = randomUUID();
  const missing = { input: { projectKey: 'NOPE', title: 'nowhere' } };
  const caller = { token: org.owner.token, orgId: org.id, headers: { 'idempotency-key': key } };
  const first = await api.client.request(CREATE, missing, caller);
  expect(errorCode(first)).toBe('NOT_FOUND');
  const again = await api.client.request(CREATE, missing, caller);
  expect(again.headers.get('idempotent-replayed')).toBe('true');
  expect(again.errors).toEqual(first.errors);
});

test('an expired key is free again', async () => {
  const key = randomUUID();
  await create('expiring', key);
  await owner.query('UPDATE idempotency_keys SET expires_at = now() - interval \'1 second\' WHERE key = $1', [key]);
  const reused = await create('after-expiry', key);
  expect(reused.errors).toBeUndefined();
  expect(await countTitled('after-expiry')).toBe(1);
  const { rows } = await owner.query<{ hours: number }>('SELECT extract(epoch FROM expires_at - created_at) / 3600 AS hours FROM idempotency_keys WHERE key = $1', [key]);
  expect(Math.round(Number(rows[0]!.hours))).toBe(24);
});

test('keys are refused where they cannot be honoured, and checked for shape', async () => {
  const user = await signUp(api.client, 'keyless');
  const createOrgResponse = await api.client.request(
    `mutation { createOrganization(input: { name: "k", slug: "k-${randomUUID().slice(0, 8)}" }) { id } }`,
    {},
    { token: user.token, headers: { 'idempotency-key': randomUUID() } },
  );
  expect(errorCode(createOrgResponse)).toBe('BAD_USER_INPUT');
  expect(createOrgResponse.errors![0]!.message).toMatch(/not supported on createOrganization/);
  const badKey = await create('bad-key', 'has spaces in it');
  expect(errorCode(badKey)).toBe('BAD_USER_INPUT');
  // Queries ignore the header: reading is idempotent anyway.
  const query = await api.client.request('{ organization { id } }', {}, { token: org.owner.token, orgId: org.id, headers: { 'idempotency-key': 'x' } });
  expect(query.errors).toBeUndefined();
});

test('every organization mutation honours a key (updateIssue replays instead of bumping the version twice)', async () => {
  const created = await create('update-me', undefined);
  const issueKey = (created.data as { createIssue: { key: string } }).createIssue.key;
  const update = `mutation($key: String!) { updateIssue(key: $key, input: { priority: HIGH }) { version } }`;
  const caller = { token: org.owner.token, orgId: org.id, headers: { 'idempotency-key': randomUUID() } };
  const first = await api.client.request(update, { key: issueKey }, caller);
  const second = await api.client.request(update, { key: issueKey }, caller);
  expect(second.data).toEqual(first.data);
  const { rows } = await owner.query<{ version: number }>('SELECT version FROM issues WHERE title = $1', ['update-me']);
  expect(rows[0]!.version).toBe((first.data as { updateIssue: { version: number } }).updateIssue.version);
});

test('bulk transitions and custom field creation honour a key: the retry replays rather than failing as a second run would', async () => {
  const keys = [];
  for (const title of ['bulk-a', 'bulk-b']) keys.push((((await create(title, undefined)).data) as { createIssue: { key: string } }).createIssue.key);
  const { rows } = await owner.query<{ id: string }>(`SELECT s.id FROM workflow_states s JOIN projects p ON p.id = s.project_id WHERE p.key = 'IDM' AND s.position = 1`);
  const toStateId = Buffer.from(`WorkflowState:${rows[0]!.id}`).toString('base64url');
  const caller = () => ({ token: org.owner.token, orgId: org.id, headers: { 'idempotency-key': randomUUID() } });
  const transition = `mutation($keys: [String!]!, $to: ID!) { transitionIssues(keys: $keys, toStateId: $to) { issues { key version } } }`;
  const bulkCaller = caller();
  const first = await api.client.request(transition, { keys, to: toStateId }, bulkCaller);
  expect(first.errors).toBeUndefined();
  // Run again for real, In Progress -> In Progress is no transition: the replay must not run.
  expect(await api.client.request(transition, { keys, to: toStateId }, bulkCaller)).toMatchObject({ data: first.data });
  const field = `mutation { createCustomField(projectKey: "IDM", name: "Idempotent", type: TEXT) { id } }`;
  const fieldCaller = caller();
  const made = await api.client.request(field, {}, fieldCaller);
  expect(made.errors).toBeUndefined();
  expect(await api.client.request(field, {}, fieldCaller)).toMatchObject({ data: made.data });
  expect(errorCode(await api.client.request(field, {}, caller()))).toBe('CONFLICT');
});

test('SIGKILL in the middle of a keyed write leaves nothing behind; the retry creates exactly once', async () => {
  const env = { NODE_ENV: 'production', DATABASE_URL: api.database.appUrl, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent', SHUTDOWN_DRAIN_SECONDS: '0' };
  const doomed = await startChildServer(env);
  const key = randomUUID();
  const release = await lockProject();
  const inFlight = create('killed', key, new GraphqlClient(`${doomed.baseUrl}/graphql`)).catch((error: unknown) => error);
  await untilBlocked();
  expect(await doomed.stop('SIGKILL')).toBeNull();
  // fetch fails (the connection died); its TypeError comes from another realm than jest's Error.
  expect(String(await inFlight)).toMatch(/fetch failed/);
  await release();
  const replacement = await startChildServer(env);
  try {
    // The killed transaction rolled back and its advisory lock went with its connection.
    const retried = await create('killed', key, new GraphqlClient(`${replacement.baseUrl}/graphql`));
    expect(retried.errors).toBeUndefined();
    const again = await create('killed', key, new GraphqlClient(`${replacement.baseUrl}/graphql`));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await countTitled('killed')).toBe(1);
  } finally {
    await replacement.stop('SIGKILL');
  }
});
