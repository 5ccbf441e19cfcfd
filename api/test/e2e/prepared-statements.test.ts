// Reads as named prepared statements (db/statement-names.ts) answer exactly what unnamed
// statements answer: one database, two servers, one with DB_PREPARED_STATEMENTS=false, the
// bench's hot reads (issue by key, a board page, a search) asked of both, more than five
// times each so PostgreSQL may switch the prepared ones to a generic plan.
import pino from 'pino';
import type { PoolClient } from 'pg';
import { loadConfig } from '../../src/config';
import { CUSTOM_PLAN } from '../../src/db/statement-names';
import { startServer, type RunningServer } from '../../src/server/start';
import { startTestApi, testServerEnv, type TestApi } from '../support/test-server';
import { GraphqlClient } from '../support/graphql-client';
import { createIssue, createOrg, createProject, type TestOrg } from '../support/fixtures';

let api: TestApi;
let unnamed: RunningServer;
let unnamedClient: GraphqlClient;
let org: TestOrg;
const names = new Set<string>();
/** The texts that went out under a name. */
const namedTexts = new Set<string>();

const W1 = 'query W1($key: String!) { issue(key: $key) { key title priority status { name category } assignee { id name } } }';
const W2 = 'query W2($key: String!, $first: Int!) { project(key: $key) { key name issues(first: $first) { pageInfo { hasNextPage endCursor } edges { node { key title priority status { name category } assignee { id name } labels { name color } } } } } }';
const W3 = 'query W3($text: String!, $categories: [StatusCategory!]) { issues(filter: { text: $text, statusCategories: $categories }, first: 20) { edges { node { key title priority status { name category } } } } }';

beforeAll(async () => {
  const limits = { RATE_LIMIT_CALLER_POINTS: '1000000000', RATE_LIMIT_ORGANIZATION_POINTS: '1000000000' };
  api = await startTestApi('prepared', limits);
  unnamed = await startServer(loadConfig(testServerEnv(api.database, { ...limits, DB_PREPARED_STATEMENTS: 'false' })), pino({ level: 'silent' }));
  unnamedClient = new GraphqlClient(`${unnamed.url}/graphql`);
  // Which statement names the prepared server's pool sends (pg's query config carries them).
  api.server.database.pool.on('acquire', (client: PoolClient & { namesSeen?: true }) => {
    if (client.namesSeen) return;
    client.namesSeen = true;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const config = args[0] as { name?: string; text?: string } | undefined;
      if (config?.name) {
        names.add(config.name);
        namedTexts.add(config.text ?? '');
      }
      return query(...args);
    };
  });
  org = await createOrg(api.client, 'prep');
  await createProject(api.client, org, 'PREP');
  const label = await api.client.ok(`mutation { createLabel(projectKey: "PREP", name: "login", color: "#AA0000") { id } }`, {}, { token: org.owner.token, orgId: org.id });
  for (let i = 1; i <= 12; i++) {
    await createIssue(api.client, org, {
      projectKey: 'PREP',
      title: `Login button ${i % 3 === 0 ? 'crash' : 'timeout'} ${i}`,
      priority: ['LOW', 'MEDIUM', 'HIGH'][i % 3],
      ...(i % 2 === 0 ? { assigneeId: org.users.MEMBER.id, labelIds: [label.createLabel.id] } : {}),
    });
  }
});

afterAll(async () => {
  await unnamed?.close();
  await api?.stop();
});

const asks: [string, string, Record<string, unknown>][] = [
  ...Array.from({ length: 8 }, (_, n): [string, string, Record<string, unknown>] => ['W1', W1, { key: `PREP-${1 + (n % 12)}` }]),
  ['W1 missing', W1, { key: 'PREP-999' }],
  ...Array.from({ length: 7 }, (_, n): [string, string, Record<string, unknown>] => ['W2', W2, { key: 'PREP', first: [5, 10, 50][n % 3] }]),
  ...Array.from({ length: 7 }, (_, n): [string, string, Record<string, unknown>] => ['W3', W3, { text: ['login', 'crash', 'timeout button'][n % 3], categories: n % 2 ? ['TODO'] : null }]),
];

test('issue by key, board pages and searches answer the same JSON with named and unnamed statements', async () => {
  const as = { token: org.users.MEMBER.token, orgId: org.id };
  for (const [label, query, variables] of asks) {
    const [prepared, plain] = await Promise.all([api.client.request(query, variables, as), unnamedClient.request(query, variables, as)]);
    // The answer as JSON (headers and request ids differ between any two responses).
    const json = (response: typeof prepared) => JSON.stringify({ data: response.data, errors: response.errors?.map((e) => [e.message, e.extensions?.code, e.path]) });
    expect({ label, variables, body: json(prepared) }).toEqual({ label, variables, body: json(plain) });
    if (label !== 'W1 missing') expect(prepared.errors).toBeUndefined();
  }
  // The prepared server did name its reads; the answers above came through them.
  expect(names.size).toBeGreaterThan(0);
  expect([...namedTexts].some((text) => text.includes('FROM issues i JOIN projects p'))).toBe(true);
  // A board page is planned for its values every time: a generic plan would sort a big
  // project's every issue (statement-names.ts, CUSTOM_PLAN).
  expect([...namedTexts].filter((text) => text.includes(CUSTOM_PLAN) || text.includes('LEFT JOIN LATERAL (\n      SELECT i.* FROM issues i'))).toEqual([]);
});
