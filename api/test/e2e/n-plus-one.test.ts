// No N+1: a page of issues with every relation selected costs the same number of SQL
// statements whether it holds 10 issues or 100. Counted at the server's own pg pool.
import { startTestApi, type TestApi } from '../support/test-server';
import { createOrg, createProject, type TestOrg } from '../support/fixtures';
import { clientAs, ownerSql, type RoleClient } from '../support/tracker-api';
import { countStatements, type StatementCounter } from '../support/sql-counter';

let api: TestApi;
let org: TestOrg;
let owner: RoleClient;
let counter: StatementCounter;

const TOTAL = 110;
const NODE_FIELDS = `key title
  assignee { id name } reporter { id email } status { name category transitionsTo { name } }
  labels { name color } project { key name } parent { key title } children { key }
  sprint { name state } watchers { id } links { type outward issue { key status { name } } }
  comments(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { body mentions { id name } } } }
  history(first: 2) { totalCount pageInfo { hasNextPage } edges { node { kind field } } }
  attachments { fileName size downloadUrl uploadedBy { id } }
  customFields { field { id name type options } value }`;
const PAGE = `query($first: Int) { project(key: "NPO") { issues(first: $first) { totalCount edges { node { ${NODE_FIELDS} } } } } }`;
const ORG_PAGE = `query($first: Int) { issues(first: $first) { totalCount edges { node { ${NODE_FIELDS} } } } }`;

beforeAll(async () => {
  // Every relation on a page of 100 issues costs far over the default limit (each related
  // issue weighs its description, lists without a size count 10): not what this file is about.
  // Pages far over the cost limit, many times a minute: both limits are lifted for this count.
  // Comment mentions sit one level below the default depth limit.
  api = await startTestApi('nplusone', { GRAPHQL_MAX_DEPTH: '12', GRAPHQL_MAX_COST: '1000000', RATE_LIMIT_CALLER_POINTS: '1000000000', RATE_LIMIT_ORGANIZATION_POINTS: '1000000000' });
  org = await createOrg(api.client, 'npo');
  owner = clientAs(api, org);
  await createProject(api.client, org, 'NPO');
  const labels: string[] = [];
  for (const name of ['red', 'blue']) labels.push((await owner.ok(`mutation { createLabel(projectKey: "NPO", name: "${name}", color: "#AA0000") { id } }`)).createLabel.id);
  const sprint = (await owner.ok(`mutation { createSprint(input: { projectKey: "NPO", name: "S" }) { id } }`)).createSprint.id;
  const create = `mutation($input: CreateIssueInput!) { createIssue(input: $input) { key } }`;
  for (let i = 1; i <= 4; i++) await owner.ok(create, { input: { projectKey: 'NPO', title: `Epic ${i}`, type: 'EPIC' } });
  await owner.ok(create, { input: { projectKey: 'NPO', title: 'Task by API', parentKey: 'NPO-1', assigneeId: org.users.ADMIN.id, labelIds: labels, sprintId: sprint } });
  // The rest straight into the tables (only reading is measured here): tasks under the epics
  // with assignees, labels and sprints, one watcher each, and a chain of links.
  const sql = ownerSql(api);
  await sql.query(
    `INSERT INTO issues (id, org_id, project_id, number, type, title, status_id, priority, assignee_id, reporter_id, parent_id, sprint_id, rank, updated_at)
     SELECT gen_random_uuid(), p.org_id, p.id, n, 'TASK', 'Task ' || n, (SELECT id FROM workflow_states WHERE project_id = p.id AND position = n % 2),
            'MEDIUM', (SELECT user_id FROM memberships WHERE org_id = p.org_id ORDER BY user_id OFFSET n % 4 LIMIT 1),
            (SELECT user_id FROM memberships WHERE org_id = p.org_id AND role = 'OWNER'),
            (SELECT id FROM issues WHERE project_id = p.id AND number = n % 4 + 1), CASE WHEN n % 2 = 0 THEN $1::uuid END, 'z' || lpad(n::text, 4, '0'), now()
     FROM projects p, generate_series(6, $2::int) AS n WHERE p.key = 'NPO'`,
    [Buffer.from(sprint, 'base64url').toString().split(':')[1], TOTAL],
  );
  await sql.query(`UPDATE projects SET issue_seq = $1 WHERE key = 'NPO'`, [TOTAL]);
  await sql.query(`INSERT INTO issue_labels (org_id, issue_id, label_id) SELECT i.org_id, i.id, l.id FROM issues i JOIN labels l ON l.project_id = i.project_id AND (i.number % 3 > 0 OR l.name = 'red') WHERE i.number > 5`);
  await sql.query(`INSERT INTO issue_watchers (org_id, issue_id, user_id) SELECT org_id, id, (SELECT user_id FROM memberships WHERE role = 'MEMBER' AND org_id = i.org_id) FROM issues i`);
  await sql.query(`INSERT INTO issue_links (id, org_id, from_issue_id, to_issue_id, type)
    SELECT gen_random_uuid(), a.org_id, a.id, b.id, 'BLOCKS' FROM issues a JOIN issues b ON b.project_id = a.project_id AND b.number = a.number + 1`);
  // Comments (0-3 per issue, some at the same instant) and history (1-2 events per issue).
  await sql.query(`INSERT INTO comments (id, org_id, issue_id, author_id, body, created_at)
    SELECT gen_random_uuid(), i.org_id, i.id, i.reporter_id, 'Comment ' || c || ' on ' || i.number, timestamp '2026-01-01' + (c / 2) * interval '1 minute'
    FROM issues i, generate_series(1, 3) AS c WHERE c <= i.number % 4`);
  // Every first comment mentions its issue's reporter and assignee (members) and a made-up user (ignored).
  await sql.query(`CREATE FUNCTION pg_temp.user_gid(id uuid) RETURNS text LANGUAGE sql AS $$ SELECT translate(rtrim(encode(convert_to('User:' || id, 'utf8'), 'base64'), '='), '+/', '-_') $$`);
  await sql.query(`UPDATE comments c SET body = c.body || ' <@' || pg_temp.user_gid(i.reporter_id) || '> <@' || pg_temp.user_gid(coalesce(i.assignee_id, i.reporter_id)) || '> <@' || pg_temp.user_gid(gen_random_uuid()) || '>'
    FROM issues i WHERE i.id = c.issue_id AND c.body LIKE 'Comment 1 %'`);
  await sql.query(`INSERT INTO issue_events (org_id, project_id, issue_id, actor_id, kind, field)
    SELECT i.org_id, i.project_id, i.id, i.reporter_id, k.kind, k.field FROM issues i
    CROSS JOIN (VALUES ('CREATED', NULL), ('UPDATED', 'title')) AS k(kind, field) WHERE k.kind = 'CREATED' OR i.number % 2 = 0`);
  // Attachments (0-2 per issue, completed) and one unfinished upload, which must not show.
  await sql.query(`INSERT INTO attachments (id, org_id, issue_id, uploader_id, file_name, content_type, size, object_key, completed_at)
    SELECT a.id, i.org_id, i.id, i.reporter_id, 'file-' || a.n || '.txt', 'text/plain', 10, i.org_id || '/' || i.id || '/' || a.id, CASE WHEN a.n < 3 THEN now() END
    FROM issues i CROSS JOIN LATERAL (SELECT gen_random_uuid() AS id, n FROM generate_series(1, 3) AS n WHERE n <= i.number % 3 + 1) a`);
  // Two custom fields, with a value on every other issue.
  for (const [name, type, options] of [['Tier', 'SELECT', ['gold', 'silver']], ['Notes', 'TEXT', null]] as const) {
    await owner.ok(`mutation($n: String!, $t: CustomFieldType!, $o: [String!]) { createCustomField(projectKey: "NPO", name: $n, type: $t, options: $o) { id } }`, { n: name, t: type, o: options });
  }
  await sql.query(`INSERT INTO custom_field_values (org_id, issue_id, field_id, value)
    SELECT i.org_id, i.id, f.id, CASE WHEN f.type = 'SELECT' THEN 'gold' ELSE 'note ' || i.number END
    FROM issues i JOIN custom_fields f ON f.project_id = i.project_id WHERE i.number % 2 = 0`);
  await sql.end();
  counter = countStatements(api.server.database.pool);
});
afterAll(() => api?.stop());

async function statementsFor(first: number): Promise<{ count: number; kinds: Record<string, number> }> {
  // Warm the context path (token check, membership) so both runs pay for the same things.
  await owner.ok(`{ project(key: "NPO") { key } }`);
  counter.reset();
  const data = await owner.ok(PAGE, { first });
  const edges = data.project.issues.edges;
  expect(edges).toHaveLength(first);
  // Every relation is really there on the page, so every loader ran.
  const nodes = edges.map((e: any) => e.node);
  expect(nodes.some((n: any) => n.children.length > 0)).toBe(true);
  expect(nodes.some((n: any) => n.parent !== null)).toBe(true);
  expect(nodes.some((n: any) => n.assignee !== null && n.sprint !== null && n.labels.length > 0)).toBe(true);
  expect(nodes.every((n: any) => n.watchers.length === 1 && n.links.length > 0)).toBe(true);
  expect(nodes.some((n: any) => n.comments.pageInfo.hasNextPage) && nodes.some((n: any) => n.comments.totalCount === 0)).toBe(true);
  const firstComments = nodes.filter((n: any) => n.comments.totalCount > 0).map((n: any) => n.comments.edges[0].node);
  expect(firstComments.length > 0 && firstComments.every((c: any) => c.mentions.length >= 1 && c.mentions.length <= 2)).toBe(true);
  expect(nodes.every((n: any) => n.history.totalCount > 0)).toBe(true);
  expect(nodes.some((n: any) => n.attachments.length === 2) && nodes.every((n: any) => n.attachments.length <= 2)).toBe(true);
  expect(nodes.every((n: any) => n.customFields.length === 2)).toBe(true);
  expect(nodes.some((n: any) => n.customFields[0].value === 'gold') && nodes.some((n: any) => n.customFields[0].value === null)).toBe(true);
  return { count: counter.statements.length, kinds: counter.byKind() };
}

test('a page of 100 issues with every relation costs as many SQL statements as a page of 10', async () => {
  const ten = await statementsFor(10);
  const hundred = await statementsFor(100);
  console.log(`SQL statements per page (issues with assignee, reporter, status, labels, project, parent, children, sprint, watchers, links, comments with mentions, history, attachments, custom fields): first=10 -> ${ten.count} ${JSON.stringify(ten.kinds)}; first=100 -> ${hundred.count} ${JSON.stringify(hundred.kinds)}`);
  expect(hundred.count).toBe(ten.count);
  expect(hundred.kinds).toEqual(ten.kinds);
  // And the count itself stays small: one batch per relation, not one per issue.
  expect(ten.count).toBeLessThan(80);
});

test('batched first pages of comments and history are exactly what each issue has, in page order', async () => {
  const data = await owner.ok(PAGE, { first: 30 });
  const sql = ownerSql(api);
  try {
    for (const { node } of data.project.issues.edges) {
      const comments = await sql.query<{ body: string }>(`SELECT c.body FROM comments c JOIN issues i ON i.id = c.issue_id WHERE i.number = $1 AND i.project_id = (SELECT id FROM projects WHERE key = 'NPO') ORDER BY c.created_at, c.id`, [Number(node.key.split('-')[1])]);
      const events = await sql.query<{ kind: string; field: string | null }>(`SELECT e.kind, e.field FROM issue_events e JOIN issues i ON i.id = e.issue_id WHERE i.number = $1 AND i.project_id = (SELECT id FROM projects WHERE key = 'NPO') ORDER BY e.id DESC`, [Number(node.key.split('-')[1])]);
      expect({ key: node.key, comments: node.comments.edges.map((e: any) => e.node.body), total: node.comments.totalCount, more: node.comments.pageInfo.hasNextPage }).toEqual({
        key: node.key, comments: comments.slice(0, 2).map((c) => c.body), total: comments.length, more: comments.length > 2,
      });
      expect(node.history.edges.map((e: any) => ({ kind: e.node.kind, field: e.node.field }))).toEqual(events.slice(0, 2));
      expect(node.history.totalCount).toBe(events.length);
    }
  } finally {
    await sql.end();
  }
  // The cursor of a batched page continues where the batch stopped.
  const withMore = data.project.issues.edges.map((e: any) => e.node).find((n: any) => n.comments.pageInfo.hasNextPage);
  const next = await owner.ok(`query($k: String!, $a: String) { issue(key: $k) { comments(first: 2, after: $a) { edges { node { body } } } } }`, { k: withMore.key, a: withMore.comments.pageInfo.endCursor });
  expect(next.issue.comments.edges).toHaveLength(1);
});

test('a list of projects and their sprints, each with its issues, costs the same for 2 projects as for 6', async () => {
  const projectsPage = `query($first: Int) { projects(first: $first) { edges { node { key
    issues(first: 3) { totalCount pageInfo { hasNextPage endCursor } edges { node { key status { name } } } }
    sprints { name issues(first: 2) { totalCount edges { node { key } } } } } } } }`;
  for (const key of ['NPA', 'NPB', 'NPC', 'NPD', 'NPE']) {
    await createProject(api.client, org, key);
    const sprint = (await owner.ok(`mutation { createSprint(input: { projectKey: "${key}", name: "S" }) { id } }`)).createSprint.id;
    for (let i = 0; i < 4; i++) await owner.ok(`mutation($input: CreateIssueInput!) { createIssue(input: $input) { key } }`, { input: { projectKey: key, title: `${key} ${i}`, sprintId: i % 2 === 0 ? sprint : null } });
  }
  const run = async (first: number) => {
    await owner.ok(`{ project(key: "NPO") { key } }`);
    counter.reset();
    const data = await owner.ok(projectsPage, { first });
    expect(data.projects.edges).toHaveLength(first);
    return { statements: counter.statements.length, projects: data.projects.edges.map((e: any) => e.node) };
  };
  const [two, six] = [await run(2), await run(6)];
  console.log(`SQL statements for projects with issues and sprints with issues: 2 projects -> ${two.statements}; 6 projects -> ${six.statements}`);
  expect(six.statements).toBe(two.statements);
  // Each batched page is the project's own first page: continuing from its cursor (one project
  // alone, the unbatched path) gives the rest, in board order, with nothing twice.
  const sql = ownerSql(api);
  try {
    for (const project of six.projects.filter((p: any) => p.key !== 'NPO')) {
      const { issues } = project;
      const rest = await owner.ok(`query($k: String!, $a: String) { project(key: $k) { issues(first: 100, after: $a) { edges { node { key } } } } }`, { k: project.key, a: issues.pageInfo.endCursor });
      const keys = (edges: any[]) => edges.map((e) => e.node.key);
      const board = await sql.query<{ key: string }>(`SELECT p.key || '-' || i.number AS key FROM issues i JOIN projects p ON p.id = i.project_id WHERE p.key = $1 AND i.deleted_at IS NULL ORDER BY i.rank, i.id`, [project.key]);
      expect([...keys(issues.edges), ...keys(rest.project.issues.edges)]).toEqual(board.map((row) => row.key));
      expect(issues.totalCount).toBe(board.length);
      const [sprint] = project.sprints;
      const inSprint = await sql.query<{ key: string }>(`SELECT p.key || '-' || i.number AS key FROM issues i JOIN projects p ON p.id = i.project_id WHERE p.key = $1 AND i.sprint_id IS NOT NULL ORDER BY i.rank, i.id`, [project.key]);
      expect({ total: sprint.issues.totalCount, keys: keys(sprint.issues.edges) }).toEqual({ total: inSprint.length, keys: inSprint.slice(0, 2).map((row) => row.key) });
    }
  } finally {
    await sql.end();
  }
});

test('the organization-wide issues query is batched the same way', async () => {
  const run = async (first: number) => {
    await owner.ok(`{ project(key: "NPO") { key } }`);
    counter.reset();
    const data = await owner.ok(ORG_PAGE, { first });
    expect(data.issues.edges).toHaveLength(first);
    return counter.statements.length;
  };
  const [ten, hundred] = [await run(10), await run(100)];
  console.log(`SQL statements per page of the organization-wide issues query: first=10 -> ${ten}; first=100 -> ${hundred}`);
  expect(hundred).toBe(ten);
});
