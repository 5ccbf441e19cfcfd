// Two pooled connections shared by two busy tenants: thousands of interleaved requests (reads,
// writes, refused writes, foreign headers, viewer-level queries) must never answer with the
// other tenant's data, which would happen if app.org_id outlived its transaction.
import { startTestApi, type TestApi } from '../support/test-server';
import type { GraphqlResponse } from '../support/graphql-client';
import { buildTenant, leakedSecrets, type Tenant } from '../support/tenant-world';

const REQUESTS = 2_000;
const CONCURRENCY = 20;

let api: TestApi;
let tenants: [Tenant, Tenant];

beforeAll(async () => {
  api = await startTestApi('pool', { DB_POOL_MAX: '2' });
  tenants = [await buildTenant(api.client, 'poola', 'POOLA'), await buildTenant(api.client, 'poolb', 'POOLB')];
}, 30_000);

afterAll(() => api?.stop());

interface Call {
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  /** true: the request targets the caller's own tenant; false: it is sent into the other one. */
  readonly isOwnTenant?: boolean;
  readonly noTenant?: boolean;
  /** false when the answer names nothing seeded (a new comment, say). */
  readonly showsOwnData?: boolean;
}

/** The kinds of request mixed together; each one names its own tenant's records. */
function callsFor(self: Tenant): Call[] {
  const { refs } = self;
  return [
    { query: `{ organization { id slug } projects { edges { node { id key name } } } }` },
    { query: `query($k: String!) { issue(key: $k) { id title assignee { email } labels { name } comments(first: 2) { edges { node { body } } } } }`, variables: { k: refs.issueKey } },
    { query: `{ issues(first: 5) { edges { node { id title } } } }` },
    { query: `query($id: ID!) { node(id: $id) { id ... on Comment { body } } }`, variables: { id: refs.commentId } },
    { query: `mutation($k: String!) { addComment(issueKey: $k, body: "ping") { id body } }`, variables: { k: refs.issueKey }, showsOwnData: false },
    // Refused inside the transaction (not found), so it rolls back after set_config ran.
    { query: `mutation($k: String!) { updateIssue(key: $k, input: { title: "x" }) { id } }`, variables: { k: 'ZZNONE-1' } },
    { query: `{ organizations { id slug } viewer { id email } }`, noTenant: true, showsOwnData: false },
    { query: `{ projects { edges { node { key } } } }`, isOwnTenant: false },
  ];
}

function check(response: GraphqlResponse, self: Tenant, other: Tenant, call: Call): string[] {
  const problems = leakedSecrets(other, response).map((secret) => `leaked ${secret}`);
  if (call.isOwnTenant === false) {
    if (response.errors?.[0]?.extensions?.code !== 'FORBIDDEN') problems.push(`foreign header answered ${JSON.stringify(response.errors ?? response.data)}`);
  } else if (call.variables?.k === 'ZZNONE-1') {
    if (response.errors?.[0]?.extensions?.code !== 'NOT_FOUND') problems.push(`refused write answered ${JSON.stringify(response.errors ?? response.data)}`);
  } else if (response.errors) {
    problems.push(`unexpected errors ${JSON.stringify(response.errors)}`);
  } else if (call.showsOwnData !== false && leakedSecrets(self, response).length === 0) {
    problems.push(`own data missing from ${JSON.stringify(response.data)}`);
  }
  return problems;
}

test(`${REQUESTS} interleaved requests of two tenants over a pool of 2 connections never cross tenants`, async () => {
  const calls = tenants.map(callsFor);
  const problems: string[] = [];
  const counts = [0, 0];
  let next = 0;
  const started = Date.now();
  const worker = async () => {
    while (next < REQUESTS) {
      const n = next++;
      const side = n % 2;
      const [self, other] = side === 0 ? tenants : [tenants[1], tenants[0]];
      const call = calls[side]![Math.floor(n / 2) % calls[side]!.length]!;
      const role = (['OWNER', 'ADMIN', 'MEMBER'] as const)[n % 3]!;
      const orgId = call.noTenant ? undefined : call.isOwnTenant === false ? other.org.id : self.org.id;
      const response = await api.client.request(call.query, call.variables ?? {}, { token: self.org.users[role].token, orgId });
      counts[side]!++;
      problems.push(...check(response, self, other, call).map((problem) => `#${n} (${self.refs.projectKey}): ${problem}`));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (Date.now() - started) / 1000;
  expect(problems.slice(0, 10)).toEqual([]);
  expect(counts).toEqual([REQUESTS / 2, REQUESTS / 2]);
  // Writes landed in their own tenant only: each side's comments are all "ping" or its own seed.
  for (const [index, tenant] of tenants.entries()) {
    const data = await api.client.ok(`query($k: String!) { issue(key: $k) { comments(first: 100) { totalCount } } }`, { k: tenant.refs.issueKey }, { token: tenant.org.owner.token, orgId: tenant.org.id });
    const pings = calls[index]!.filter((call) => call.query.includes('addComment')).length;
    expect(data.issue.comments.totalCount).toBe(1 + (REQUESTS / 2 / calls[index]!.length) * pings);
  }
  console.log(`pool-reuse: ${REQUESTS} requests in ${seconds.toFixed(1)} s (${Math.round(REQUESTS / seconds)} req/s) over DB_POOL_MAX=2`);
}, 60_000);
