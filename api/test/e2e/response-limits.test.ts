// What a document may fetch and send: the cost prices objects and long text (so a dashboard
// passes and three pages of descriptions do not), each response is at most RESPONSE_MAX_BYTES,
// and responses in flight share one instance-wide pool. The abuse runs against a child process
// with the production image's heap flags: refused cleanly, and the process keeps serving.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Client } from 'pg';
import { createProject, createIssue, signUp, uniqueSuffix, type TestOrg, type TestUser } from '../support/fixtures';
import { errorCode, GraphqlClient, type GraphqlResponse } from '../support/graphql-client';
import { startChildServer, type ChildServer } from '../support/child-server';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { testServerEnv } from '../support/test-server';
import { PROJECT_ROOT } from '../../src/project-root';

// The runtime stage's NODE_OPTIONS, read from the Dockerfile so the test follows the image.
const IMAGE_HEAP_FLAGS = /NODE_OPTIONS="([^"]*--max-old-space-size=\d+[^"]*)"/.exec(readFileSync(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8'))![1]!;
const DESCRIPTION_CHARS = 100_000;
const BIG_ISSUES = 100;

let database: TestDatabase;
let server: ChildServer;
let client: GraphqlClient;
let owner: TestUser;
let org: TestOrg;

const asOwner = () => ({ token: owner.token, orgId: org.id });

/** Issues whose descriptions are as long as allowed, of a character JSON writes as 6 bytes. */
async function insertBigIssues(projectKey: string, count: number): Promise<void> {
  const sql = new Client({ connectionString: database.ownerUrl });
  await sql.connect();
  try {
    await sql.query(
      `INSERT INTO issues (id, org_id, project_id, number, type, title, description, status_id, reporter_id, rank, updated_at)
       SELECT gen_random_uuid(), i.org_id, i.project_id, i.number + g, i.type, 'big ' || g, repeat(chr(1), $3), i.status_id, i.reporter_id, i.rank || lpad(g::text, 6, '0'), now()
       FROM issues i, generate_series(1, $2::int) g
       WHERE i.id = (SELECT id FROM issues WHERE project_id = (SELECT id FROM projects WHERE key = $1) ORDER BY number LIMIT 1)`,
      [projectKey, count, DESCRIPTION_CHARS],
    );
  } finally {
    await sql.end();
  }
}

async function start(env: Record<string, string> = {}): Promise<ChildServer> {
  // The rate limit is lifted: this file spends far more than a client's budget on purpose,
  // and what it checks is the cost and byte bounds.
  const unlimited = { RATE_LIMIT_CALLER_POINTS: '1000000000', RATE_LIMIT_ORGANIZATION_POINTS: '1000000000' };
  const { PORT: _any, ...childEnv } = testServerEnv(database, { NODE_ENV: 'production', NODE_OPTIONS: IMAGE_HEAP_FLAGS, ...unlimited, ...env });
  return startChildServer(childEnv);
}

beforeAll(async () => {
  database = await createTestDatabase('responses');
  server = await start();
  client = new GraphqlClient(`${server.baseUrl}/graphql`);
  owner = await signUp(client, 'responses');
  const created = await client.ok(`mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`, { input: { name: 'Responses', slug: `responses-${uniqueSuffix()}` } }, { token: owner.token });
  org = { id: created.createOrganization.id, slug: '', owner, users: { OWNER: owner } as never };
  for (const key of ['WEB', 'APP', 'OPS']) {
    await createProject(client, org, key);
    for (let i = 0; i < 6; i++) await createIssue(client, org, { projectKey: key, title: `${key} ${i}`, description: 'short' });
  }
  await createProject(client, org, 'BIG');
  await createIssue(client, org, { projectKey: 'BIG', title: 'template' });
  await insertBigIssues('BIG', BIG_ISSUES);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

const DASHBOARD = `query Dashboard {
  viewer { id name }
  organizations { id name }
  projects(first: 20) { edges { node { key name issues(first: 5) { edges { node { key title status { name } } } } } } }
}`;

/** `aliases` pages of the 100 newest-numbered issues (all of BIG), each with its description: issue 16's document. */
const descriptions = (aliases: number) =>
  `query Descriptions { ${Array.from({ length: aliases }, (_, i) => `a${i}: issues(first: 100, orderBy: { field: NUMBER, direction: DESC }) { edges { node { description } } }`).join(' ')} }`;

async function postRaw(query: string, variables: Record<string, unknown> = {}): Promise<{ status: number; body: { data?: unknown; errors?: GraphqlResponse['errors']; extensions?: { cost?: number } } }> {
  const response = await fetch(`${server.baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${owner.token}`, 'x-org-id': org.id },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as never };
}

test('an ordinary dashboard document (20 projects with 5 issues each) passes the cost limit', async () => {
  const { status, body } = await postRaw(DASHBOARD);
  expect(body.errors).toBeUndefined();
  expect(status).toBe(200);
  expect(body.extensions?.cost).toBe(2932);
  const projects = (body.data as { projects: { edges: { node: { issues: { edges: unknown[] } } }[] } }).projects.edges;
  expect(projects.length).toBe(4);
});

test('three pages of 100 descriptions are refused by cost before anything runs', async () => {
  const { status, body } = await postRaw(descriptions(3));
  expect(status).toBe(400);
  expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  expect(body.errors?.[0]?.message).toMatch(/cost limit of 5000 exceeded/i);
  expect(body.data).toBeUndefined();
});

test('a page size given by a variable is priced like a literal one', async () => {
  const query = `query($n: Int!) { a: issues(first: $n) { edges { node { description } } } b: issues(first: $n, orderBy: { field: NUMBER }) { edges { node { description } } } }`;
  const small = await postRaw(query, { n: 2 });
  expect(small.body.errors).toBeUndefined();
  const large = await postRaw(query, { n: 100 });
  expect(large.status).toBe(400);
  expect(large.body.errors?.[0]?.message).toMatch(/cost limit of 5000 exceeded/i);
});

test('a response over RESPONSE_MAX_BYTES is refused whole, with no data', async () => {
  const { status, body } = await postRaw(descriptions(1));
  expect(status).toBe(400);
  expect(body.errors).toHaveLength(1);
  expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  expect(body.errors?.[0]?.message).toMatch(/response would be larger than 8388608 bytes/i);
  expect(body.data).toBeUndefined();
});

test('concurrent abusive documents under the image heap are refused and the process keeps serving', async () => {
  expect(IMAGE_HEAP_FLAGS).toMatch(/--max-old-space-size=256/);
  const abuse = [1, 3, 1, 3, 1, 3].map((aliases) => postRaw(descriptions(aliases)));
  const answers = await Promise.all(abuse);
  for (const { status, body } of answers) {
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.data).toBeUndefined();
  }
  expect(server.process.exitCode).toBeNull();
  const next = await client.request(`{ project(key: "BIG") { issues(first: 3) { edges { node { key } } } } }`, {}, asOwner());
  expect(next.errors).toBeUndefined();
  expect(next.data.project.issues.edges).toHaveLength(3);
});

describe('the instance-wide response pool', () => {
  let pooled: ChildServer;

  beforeAll(async () => {
    // One response of ~20 MB fits; two at once do not.
    pooled = await start({ RESPONSE_MAX_BYTES: String(24 * 1024 * 1024), RESPONSE_BUDGET_BYTES: String(30 * 1024 * 1024) });
  }, 120_000);

  afterAll(() => pooled?.stop());

  const query = `{ project(key: "BIG") { issues(first: 34) { edges { node { description } } } } }`;

  /** Starts a request and resolves once its response headers are in, leaving the body unread. */
  function slowReader(): Promise<{ status: number; readAll(): Promise<string> }> {
    return new Promise((resolve, reject) => {
      const request = http.request(`${pooled.baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.token}`, 'x-org-id': org.id } }, (response) => {
        resolve({
          status: response.statusCode!,
          readAll: () =>
            new Promise((done, failed) => {
              let text = '';
              response.setEncoding('utf8');
              response.on('data', (chunk: string) => (text += chunk));
              response.on('end', () => done(text));
              response.on('error', failed);
            }),
        });
      });
      request.on('error', reject);
      request.end(JSON.stringify({ query }));
    });
  }

  test('a response still being sent holds its bytes: a second large one is refused with 503 until it is read', async () => {
    const pooledClient = new GraphqlClient(`${pooled.baseUrl}/graphql`);
    const first = await slowReader();
    expect(first.status).toBe(200);
    const second = await pooledClient.request(query, {}, asOwner());
    expect(second.status).toBe(503);
    expect(errorCode(second)).toBe('SERVICE_UNAVAILABLE');
    expect(second.headers.get('retry-after')).toBe('1');
    expect(second.data).toBeUndefined();
    const text = await first.readAll();
    expect(JSON.parse(text).data.project.issues.edges).toHaveLength(34);
    const third = await pooledClient.request(query, {}, asOwner());
    expect(third.errors).toBeUndefined();
    expect(third.data.project.issues.edges).toHaveLength(34);
  });
});

test('pages of issues that ask for no description still pay for the rows they load', async () => {
  // Each row holds its 100,000-character description in memory whatever the document selects.
  const orders = ['NUMBER', 'CREATED_AT', 'UPDATED_AT', 'RANK', 'PRIORITY', 'DUE_DATE'].flatMap((f) => ['ASC', 'DESC'].map((d) => `{ field: ${f}, direction: ${d} }`));
  const keys = `{ ${orders.map((o, i) => `a${i}: issues(first: 100, orderBy: ${o}) { edges { node { key } } }`).join(' ')} }`;
  const refused = await Promise.all([1, 2, 3, 4].map(() => postRaw(keys)));
  for (const { status, body } of refused) {
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(/cost limit of 5000 exceeded, found 32412/i);
  }
  // Under the limit, many at once: they share the instance's in-flight budget and all complete.
  const page = `{ issues(first: 100, orderBy: { field: NUMBER, direction: DESC }) { edges { node { key } } } }`;
  const served = await Promise.all(Array.from({ length: 10 }, () => postRaw(page)));
  for (const { status, body } of served) {
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    expect(body.extensions?.cost).toBe(2701);
  }
  expect(server.process.exitCode).toBeNull();
});

test('an operation that cannot get its share of the in-flight cost budget in time is refused with 503', async () => {
  const busy = await start({ GRAPHQL_COST_IN_FLIGHT: '5000', GRAPHQL_COST_QUEUE_MS: '1' });
  const lock = new Client({ connectionString: database.ownerUrl });
  await lock.connect();
  try {
    const page = `{ issues(first: 100) { edges { node { key } } } }`;
    const post = () =>
      fetch(`${busy.baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.token}`, 'x-org-id': org.id }, body: JSON.stringify({ query: page }) });
    // The first page holds 2,701 of the 5,000 while it waits on a lock the test holds.
    await lock.query('BEGIN');
    await lock.query('LOCK TABLE issues IN ACCESS EXCLUSIVE MODE');
    const first = post();
    for (;;) {
      // Inside a transaction the activity view is a snapshot: refresh it on every look.
      await lock.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await lock.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      if (rows[0].n > 0) break;
    }
    const second = await post();
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toBe('1');
    const body = (await second.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(body.data).toBeUndefined();
    await lock.query('COMMIT');
    expect((await first).status).toBe(200);
    // Released: the same page now runs.
    expect((await post()).status).toBe(200);
  } finally {
    await lock.end();
    await busy.stop();
  }
});
