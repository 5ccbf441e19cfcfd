// Two pooled connections shared by two busy tenants: hundreds of interleaved requests (reads,
// writes, refused writes, foreign headers, viewer-level queries) must never answer with the
// other tenant's data, which would happen if app.org_id outlived its transaction.
import { startTestApi, type TestApi } from '../support/test-server';
import type { GraphqlResponse } from '../support/graphql-client';
import { buildTenant, leakedSecrets, type Tenant } from '../support/tenant-world';

// Each of the two connections serves ~300 requests, switching tenants between most of them:
// reuse proven many times over, yet small enough that a loaded machine finishes well inside
// the test's time (at load 17 on 2 cores this ran at 12 requests/s: under a minute).
const REQUESTS = 600;
const CONCURRENCY = 20;

let api: TestApi;
let tenants: [Tenant, Tenant];

beforeAll(async () => {
  api = await startTestApi('pool', { DB_POOL_MAX: '2', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_WORKER_CONCURRENCY: '0' });
  tenants = [await buildTenant(api.client, 'poola', 'POOLA'), await buildTenant(api.client, 'poolb', 'POOLB')];
});

afterAll(() => api?.stop());

interface Call {
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  /** Whose x-org-id goes with it: the caller's own organization, the other one, or none. */
  readonly header: 'own' | 'other' | 'none';
  /** 'data': succeeds and shows the caller's own seeded data; 'ok': succeeds; else the error code. */
  readonly expect: 'data' | 'ok' | 'FORBIDDEN' | 'NOT_FOUND';
}

/** The kinds of request mixed together; each names its own tenant's records. */
function callsFor({ refs }: Tenant): Call[] {
  return [
    { query: `{ organization { id slug } projects { edges { node { id key name } } } }`, header: 'own', expect: 'data' },
    { query: `query($k: String!) { issue(key: $k) { id title assignee { email } labels { name } } }`, variables: { k: refs.issueKey }, header: 'own', expect: 'data' },
    { query: `{ issues(first: 5) { edges { node { id title } } } }`, header: 'own', expect: 'data' },
    { query: `query($id: ID!) { node(id: $id) { id ... on Comment { body } } }`, variables: { id: refs.commentId }, header: 'own', expect: 'data' },
    { query: `mutation($k: String!) { addComment(issueKey: $k, body: "ping") { id body } }`, variables: { k: refs.issueKey }, header: 'own', expect: 'ok' },
    // Refused inside the transaction, after set_config ran: it rolls back.
    { query: `mutation { updateIssue(key: "ZZNONE-1", input: { title: "x" }) { id } }`, header: 'own', expect: 'NOT_FOUND' },
    { query: `{ organizations { id slug } viewer { id email } }`, header: 'none', expect: 'data' },
    // User- and tenant-scoped fields in one document: one transaction, both pinned once.
    { query: `{ viewer { email } organizations { slug members(first: 3) { totalCount } } organization { slug } projects { edges { node { key } } } }`, header: 'own', expect: 'data' },
    { query: `mutation($k: String!) { a: addComment(issueKey: $k, body: "ping") { id } b: updateIssue(key: "ZZNONE-1", input: { title: "x" }) { id } }`, variables: { k: refs.issueKey }, header: 'own', expect: 'NOT_FOUND' },
    { query: `{ projects { edges { node { key } } } }`, header: 'other', expect: 'FORBIDDEN' },
  ];
}

function check(response: GraphqlResponse, self: Tenant, other: Tenant, call: Call): string[] {
  const problems = leakedSecrets(other, response).map((secret) => `leaked ${secret}`);
  const code = response.errors?.[0]?.extensions?.code ?? 'ok';
  if (code !== (call.expect === 'data' ? 'ok' : call.expect)) problems.push(`expected ${call.expect}, got ${JSON.stringify(response.errors ?? response.data)}`);
  else if (call.expect === 'data' && leakedSecrets(self, response).length === 0) problems.push(`own data missing from ${JSON.stringify(response.data)}`);
  return problems;
}

test(`${REQUESTS} interleaved requests of two tenants over a pool of 2 connections never cross tenants`, async () => {
  const calls = tenants.map(callsFor);
  const problems: string[] = [];
  let next = 0;
  const started = Date.now();
  const worker = async () => {
    while (next < REQUESTS) {
      const n = next++;
      const side = n % 2;
      const [self, other] = side === 0 ? tenants : [tenants[1], tenants[0]];
      const mine = calls[side]!;
      const call = mine[Math.floor(n / 2) % mine.length]!;
      const role = (['OWNER', 'ADMIN', 'MEMBER'] as const)[n % 3]!;
      const orgId = { own: self.org.id, other: other.org.id, none: undefined }[call.header];
      const response = await api.client.request(call.query, call.variables ?? {}, { token: self.org.users[role].token, orgId });
      problems.push(...check(response, self, other, call).map((problem) => `#${n} (${self.refs.projectKey}): ${problem}`));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (Date.now() - started) / 1000;
  expect(problems.slice(0, 10)).toEqual([]);
  // Each tenant's writes landed in its own issue: its two seed comments (the MEMBER's mentions the OWNER) plus exactly its own pings.
  for (const [index, tenant] of tenants.entries()) {
    const data = await api.client.ok(`query($k: String!) { issue(key: $k) { comments(first: 100) { totalCount } } }`, { k: tenant.refs.issueKey }, { token: tenant.org.owner.token, orgId: tenant.org.id });
    // A document with a refused second mutation is rolled back whole: its ping is not there.
    const pings = calls[index]!.filter((call) => call.query.includes('addComment') && call.expect === 'ok').length;
    expect(data.issue.comments.totalCount).toBe(2 + (REQUESTS / 2 / calls[index]!.length) * pings);
  }
  // Between requests, no pooled connection carries a tenant or a caller: the pin (folded into
  // BEGIN) is local to the transaction, refused or not.
  const pool = api.server.database.pool;
  const clients = await Promise.all([pool.connect(), pool.connect()]);
  try {
    for (const client of clients) {
      const { rows } = await client.query(`SELECT current_setting('app.org_id', true) AS org, current_setting('app.user_id', true) AS usr, now() = statement_timestamp() AS idle`);
      // idle: no transaction left open (inside one, now() would be older than the statement).
      expect({ org: rows[0].org ?? '', usr: rows[0].usr ?? '', idle: rows[0].idle }).toEqual({ org: '', usr: '', idle: true });
    }
  } finally {
    for (const client of clients) client.release();
  }
  console.log(`pool-reuse: ${REQUESTS} requests in ${seconds.toFixed(1)} s (${Math.round(REQUESTS / seconds)} req/s) over DB_POOL_MAX=2`);
}, 300_000);
