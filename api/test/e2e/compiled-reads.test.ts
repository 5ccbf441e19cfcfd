// Compiled reads (modules/issue/issue-select-compiler.ts) answer exactly what the loaders
// answer: one database, two servers, one with DB_COMPILED_READS=false, the same documents
// (covered selections, partly covered ones, cursors, bad input, another tenant's keys) asked
// of both by the same callers. And the board page costs a fixed number of statements, the same
// for 10 issues as for 100.
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { startServer, type RunningServer } from '../../src/server/start';
import { startTestApi, testServerEnv, type TestApi } from '../support/test-server';
import { GraphqlClient, type GraphqlResponse } from '../support/graphql-client';
import { createOrg, createProject, type TestOrg } from '../support/fixtures';
import { clientAs, ownerSql } from '../support/tracker-api';
import { countStatements, type StatementCounter } from '../support/sql-counter';

let api: TestApi;
let loaderServer: RunningServer;
let loaderClient: GraphqlClient;
let counter: StatementCounter;
let orgA: TestOrg;
let orgB: TestOrg;

const W1 = 'query W1($key: String!) { issue(key: $key) { key title priority status { name category } assignee { id name } } }';
const W2 = 'query W2($key: String!, $first: Int!) { project(key: $key) { key name issues(first: $first) { pageInfo { hasNextPage endCursor } edges { node { key title priority status { name category } assignee { id name } labels { name color } } } } } }';
const FULL_NODE = `id key number type title description priority storyPoints dueDate rank version createdAt updatedAt
  status { id name category position } assignee { id name email createdAt } reporter { id name } labels { id name color }`;
const PAGE = `query($key: String!, $first: Int, $after: String) { project(key: $key) { id key name description
  issues(first: $first, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { ${FULL_NODE} } } } } }`;
const ISSUE = `query($key: String!) { issue(key: $key) { ${FULL_NODE} project { key name } } }`;
// Fragments, aliases and fields the compiler does not fetch itself (they load as before).
const MIXED = `fragment Card on Issue { key assignee { ...Who } tagged: labels { name } }
  fragment Who on User { name }
  query($key: String!) { board: project(key: $key) { key workflow { name }
    issues(first: 7, orderBy: { field: RANK, direction: ASC }) { edges { node { ...Card ... on Issue { boss: reporter { name } status { name transitionsTo { name } } children { key } comments(first: 1) { totalCount } } } } } } }`;
const TWO_PAGES = `query($key: String!) { project(key: $key) { a: issues(first: 2) { edges { node { key } } } b: issues(first: 3) { edges { node { key status { name } } } } } }`;
const BY_NUMBER = `query($key: String!) { project(key: $key) { issues(first: 5, orderBy: { field: NUMBER, direction: DESC }) { edges { cursor node { key assignee { name } } } } } }`;
const W3 = 'query W3($text: String!, $categories: [StatusCategory!]) { issues(filter: { text: $text, statusCategories: $categories }, first: 20) { edges { node { key title priority status { name category } } } } }';
const ORG_LIST = `query($after: String, $order: IssueOrder) { issues(first: 30, after: $after, orderBy: $order) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${FULL_NODE} project { key } } } } }`;
// Nothing but the issues' own fields: no joins at all.
const BARE = `query($key: String!) { project(key: $key) { issues(first: 4) { edges { node { title } } } } issue(key: "CR-2") { title } }`;
const BACKWARD = `query($key: String!) { project(key: $key) { issues(last: 4) { pageInfo { hasPreviousPage startCursor } edges { node { key labels { name } } } } } }`;

beforeAll(async () => {
  const limits = { RATE_LIMIT_CALLER_POINTS: '1000000000', RATE_LIMIT_ORGANIZATION_POINTS: '1000000000', GRAPHQL_MAX_COST: '1000000' };
  api = await startTestApi('compiled', { ...limits, GRAPHQL_BATCHED_REQUESTS: 'true' });
  loaderServer = await startServer(loadConfig(testServerEnv(api.database, { ...limits, DB_COMPILED_READS: 'false' })), pino({ level: 'silent' }));
  loaderClient = new GraphqlClient(`${loaderServer.url}/graphql`);
  orgA = await createOrg(api.client, 'cra');
  orgB = await createOrg(api.client, 'crb');
  // The same project key in both tenants, and a project with no issues.
  for (const org of [orgA, orgB]) await createProject(api.client, org, 'CR');
  await createProject(api.client, orgA, 'EMPTY');
  for (const org of [orgA, orgB]) {
    for (const name of ['red', 'blue', 'green']) await clientAs(api, org).ok(`mutation { createLabel(projectKey: "CR", name: "${name}", color: "#AA0000") { id } }`);
  }
  // 120 issues in A, 15 in B, straight into the tables: every third unassigned, labels on
  // some (none, one or two), a few deleted (never shown), some ranks equal (the id decides).
  const sql = ownerSql(api);
  try {
    for (const [org, total] of [[orgA, 120], [orgB, 15]] as const) {
      await sql.query(
        `INSERT INTO issues (id, org_id, project_id, number, type, title, status_id, priority, assignee_id, reporter_id, rank, updated_at, deleted_at, story_points)
         SELECT gen_random_uuid(), p.org_id, p.id, n, 'TASK', $3 || ' task ' || n, (SELECT id FROM workflow_states WHERE project_id = p.id AND position = n % 3),
                (ARRAY['LOW','MEDIUM','HIGH'])[n % 3 + 1]::"Priority",
                CASE WHEN n % 3 = 0 THEN NULL ELSE (SELECT user_id FROM memberships WHERE org_id = p.org_id ORDER BY user_id OFFSET n % 4 LIMIT 1) END,
                (SELECT user_id FROM memberships WHERE org_id = p.org_id AND role = 'OWNER'),
                'r' || lpad((n / 2)::text, 4, '0'), now(), CASE WHEN n % 17 = 0 THEN now() END, CASE WHEN n % 5 = 0 THEN 2.5 END
         FROM projects p, generate_series(1, $2::int) AS n WHERE p.key = 'CR' AND p.org_id = $1::uuid`,
        [Buffer.from(org.id, 'base64url').toString().split(':')[1] ?? org.id, total, org === orgA ? 'A' : 'B'],
      );
      await sql.query(`UPDATE projects SET issue_seq = $2 WHERE key = 'CR' AND org_id = $1::uuid`, [Buffer.from(org.id, 'base64url').toString().split(':')[1] ?? org.id, total]);
    }
    await sql.query(`INSERT INTO issue_labels (org_id, issue_id, label_id)
      SELECT i.org_id, i.id, l.id FROM issues i JOIN labels l ON l.project_id = i.project_id AND ((i.number % 4 = 1 AND l.name = 'red') OR (i.number % 4 = 2 AND l.name <> 'green'))`);
  } finally {
    await sql.end();
  }
  counter = countStatements(api.server.database.pool);
});

afterAll(async () => {
  await loaderServer?.close();
  await api?.stop();
});

/** The answer as JSON (headers and request ids differ between any two responses). */
const json = (response: GraphqlResponse) => JSON.stringify({ data: response.data, errors: response.errors?.map((e) => [e.message, e.extensions?.code, e.path]) });

async function both(org: TestOrg, query: string, variables: Record<string, unknown>): Promise<GraphqlResponse> {
  const as = { token: org.users.MEMBER.token, orgId: org.id };
  const [compiled, loaded] = await Promise.all([api.client.request(query, variables, as), loaderClient.request(query, variables, as)]);
  expect({ query, variables, body: json(compiled) }).toEqual({ query, variables, body: json(loaded) });
  return compiled;
}

test('the board page and the issue view answer the same JSON compiled and through the loaders', async () => {
  for (const org of [orgA, orgB]) {
    for (const first of [0, 1, 10, 50, 100]) await both(org, W2, { key: 'CR', first });
    // Every page of the board, by the cursors the compiled pages hand out.
    let after: string | null = null;
    const seen: string[] = [];
    for (;;) {
      const page = await both(org, PAGE, { key: 'CR', first: 25, after });
      const issues = (page.data as any).project.issues;
      seen.push(...issues.edges.map((e: any) => e.node.key));
      if (!issues.pageInfo.hasNextPage) break;
      after = issues.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const key of ['CR-1', 'CR-2', 'CR-3', 'CR-4', 'CR-5', 'CR-17', 'CR-999', 'not a key', 'EMPTY-1']) {
      await both(org, W1, { key });
      await both(org, ISSUE, { key });
    }
    for (const document of [MIXED, TWO_PAGES, BY_NUMBER, BACKWARD, BARE]) await both(org, document, { key: 'CR' });
  }
  // The organization's lists: a search (by relevance), every page in two orders.
  for (const org of [orgA, orgB]) {
    for (const [text, categories] of [['task', null], ['task 1', ['TODO', 'IN_PROGRESS']], ['nothing matches', null], ['7', ['DONE']]] as const) await both(org, W3, { text, categories });
    for (const order of [null, { field: 'NUMBER', direction: 'DESC' }, { field: 'PRIORITY', direction: 'ASC' }]) {
      let after: string | null = null;
      for (;;) {
        const issues: any = ((await both(org, ORG_LIST, { after, order })).data as any).issues;
        if (!issues.pageInfo.hasNextPage) break;
        after = issues.pageInfo.endCursor;
      }
    }
  }
  // The fixture holds what the comparisons are about: unassigned issues, issues without
  // labels and with two, deleted issues left out, and each tenant sees its own CR.
  const board = (await both(orgA, PAGE, { key: 'CR', first: 100 })).data as any;
  const nodes = board.project.issues.edges.map((e: any) => e.node);
  expect(nodes.some((n: any) => n.assignee === null) && nodes.some((n: any) => n.assignee !== null)).toBe(true);
  expect(new Set(nodes.map((n: any) => n.labels.length))).toEqual(new Set([0, 1, 2]));
  expect(nodes.some((n: any) => n.key === 'CR-17')).toBe(false);
  expect(board.project.issues.totalCount).toBe(120 - 7);
  const other = (await both(orgB, PAGE, { key: 'CR', first: 100 })).data as any;
  expect(other.project.issues.edges.every((e: any) => e.node.title.startsWith('B '))).toBe(true);
  expect(nodes.every((n: any) => n.title.startsWith('A '))).toBe(true);
  // An empty project, and one of another tenant's keys.
  expect(((await both(orgA, PAGE, { key: 'EMPTY', first: 10 })).data as any).project.issues).toEqual({
    totalCount: 0, pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null }, edges: [],
  });
  expect((await both(orgB, W2, { key: 'EMPTY', first: 10 })).data).toEqual({ project: null });
});

test('bad paging input is refused the same way, at the same path', async () => {
  for (const after of ['nonsense', Buffer.from(JSON.stringify(['NUMBER', '3', '00000000-0000-0000-0000-000000000000'])).toString('base64url')]) {
    const answer = await both(orgA, PAGE, { key: 'CR', first: 5, after });
    expect(answer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  }
  expect((await both(orgA, W2, { key: 'CR', first: 101 })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
});

test('operations batched in one HTTP request (one context) each get their own compiled page', async () => {
  const board = `query($key: String!) { project(key: $key) { key issues(first: 3) { edges { node { key title status { name } } } } } }`;
  const as = { token: orgA.users.MEMBER.token, orgId: orgA.id };
  const keys = ['CR', 'EMPTY', 'CR', 'EMPTY'];
  const response = await fetch(api.client.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${as.token}`, 'x-org-id': as.orgId },
    body: JSON.stringify(keys.map((key) => ({ query: board, variables: { key } }))),
  });
  const answers = (await response.json()) as { data: unknown }[];
  const alone = await Promise.all(keys.map(async (key) => (await loaderClient.request(board, { key }, as)).data));
  expect(answers.map((answer) => answer.data)).toEqual(alone);
  expect((alone[0] as any).project.issues.edges).toHaveLength(3);
});

test('issues of another tenant stay invisible to the compiled reads', async () => {
  const member = clientAs(api, orgB, 'MEMBER');
  const a = (await clientAs(api, orgA, 'MEMBER').ok(PAGE, { key: 'CR', first: 3 })).project.issues;
  // A's cursor on B's board pages B's issues only.
  const onB = await member.ok(PAGE, { key: 'CR', first: 100, after: a.pageInfo.endCursor });
  expect(onB.project.issues.edges.every((e: any) => e.node.title.startsWith('B '))).toBe(true);
  expect((await member.ok(ISSUE, { key: 'EMPTY-1' })).issue).toBeNull();
  expect((await member.ok(ISSUE, { key: 'CR-118' })).issue).toBeNull();
});

test('the compiled board page costs the same fixed number of statements for 10 issues as for 100', async () => {
  const owner = clientAs(api, orgA);
  const run = async (first: number) => {
    // Warm the context path (token check, membership) so both runs pay for the same things.
    await owner.ok(`{ project(key: "CR") { key } }`);
    counter.reset();
    const data = await owner.ok(W2, { key: 'CR', first });
    expect(data.project.issues.edges).toHaveLength(first);
    return [...counter.statements];
  };
  const [ten, hundred] = [await run(10), await run(100)];
  const issue = async () => {
    counter.reset();
    await owner.ok(W1, { key: 'CR-4' });
    return [...counter.statements];
  };
  const one = await issue();
  counter.reset();
  const found = await owner.ok(W3, { text: 'task', categories: ['TODO', 'IN_PROGRESS'] });
  expect(found.issues.edges.length).toBe(20);
  const search = [...counter.statements];
  console.log(`compiled reads: board of 10 -> ${ten.length} statements, of 100 -> ${hundred.length}, issue by key -> ${one.length}, search -> ${search.length}: ${JSON.stringify(search)}`);
  expect(hundred.length).toBe(ten.length);
  // The transaction's BEGIN (carrying the pin), the compiled statement, COMMIT.
  expect(ten.length).toBe(3);
  expect(one.length).toBe(3);
  expect(search.length).toBe(3);
});
