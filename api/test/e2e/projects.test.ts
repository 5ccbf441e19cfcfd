// Projects over HTTP: create with the default workflow, update, archive (read-only and hidden
// unless asked for), and the refusals a client sees.
import { startTestApi, type TestApi } from '../support/test-server';
import { createIssue, createOrg, type TestOrg } from '../support/fixtures';
import { clientAs, ownerSql, refusal, type OwnerSql, type RoleClient } from '../support/tracker-api';

let api: TestApi;
let org: TestOrg;
let owner: RoleClient;
let sql: OwnerSql;

const CREATE = `mutation($input: CreateProjectInput!) { createProject(input: $input) {
  id key name description lead { id } archivedAt createdAt
  workflow { id name category position transitionsTo { name } } } }`;

beforeAll(async () => {
  api = await startTestApi('projects');
  org = await createOrg(api.client, 'proj');
  owner = clientAs(api, org);
  sql = ownerSql(api);
});
afterAll(async () => {
  await sql?.end();
  await api?.stop();
});

test('createProject returns the project with the default workflow and its allowed moves', async () => {
  const data = await clientAs(api, org, 'ADMIN').ok(CREATE, { input: { key: 'WEB', name: 'Website', description: 'The site', leadId: org.users.MEMBER.id } });
  const project = data.createProject;
  expect(project).toMatchObject({ key: 'WEB', name: 'Website', description: 'The site', lead: { id: org.users.MEMBER.id }, archivedAt: null });
  expect(project.workflow.map((s: any) => [s.name, s.category, s.position, s.transitionsTo.map((t: any) => t.name)])).toEqual([
    ['To Do', 'TODO', 0, ['In Progress']],
    ['In Progress', 'IN_PROGRESS', 1, ['To Do', 'In Review']],
    ['In Review', 'IN_PROGRESS', 2, ['To Do', 'In Progress', 'Done']],
    ['Done', 'DONE', 3, ['To Do', 'In Review']],
  ]);
});

test('createProject refuses bad keys, taken keys and roles below ADMIN, writing nothing', async () => {
  expect(refusal(await owner.request(CREATE, { input: { key: 'web', name: 'x' } }))).toEqual({ code: 'BAD_USER_INPUT', field: 'key' });
  expect(refusal(await owner.request(CREATE, { input: { key: 'A', name: 'x' } }))).toEqual({ code: 'BAD_USER_INPUT', field: 'key' });
  expect(refusal(await owner.request(CREATE, { input: { key: 'GOOD', name: '' } }))).toEqual({ code: 'BAD_USER_INPUT', field: 'name' });
  expect(refusal(await owner.request(CREATE, { input: { key: 'WEB', name: 'Again' } }))).toEqual({ code: 'CONFLICT', field: 'key' });
  expect(refusal(await clientAs(api, org, 'MEMBER').request(CREATE, { input: { key: 'MEM', name: 'x' } })).code).toBe('FORBIDDEN');
  expect(await sql.count('projects')).toBe(1);
  expect(await sql.count('workflow_states')).toBe(4);
});

test('updateProject changes name, description and lead; the key stays', async () => {
  const data = await owner.ok(`mutation { updateProject(key: "WEB", input: { name: "Web site", description: null, leadId: null }) { key name description lead { id } } }`);
  expect(data.updateProject).toEqual({ key: 'WEB', name: 'Web site', description: null, lead: null });
  const missing = await owner.request(`mutation { updateProject(key: "NOPE", input: { name: "x" }) { key } }`);
  expect(refusal(missing).code).toBe('NOT_FOUND');
  const viewer = await clientAs(api, org, 'VIEWER').request(`mutation { updateProject(key: "WEB", input: { name: "x" }) { key } }`);
  expect(refusal(viewer).code).toBe('FORBIDDEN');
  expect(refusal(await owner.request(`mutation { updateProject(key: "WEB", input: { name: "  " }) { key } }`))).toEqual({ code: 'BAD_USER_INPUT', field: 'name' });
});

test('archiveProject is for ADMIN and OWNER only and needs a known key', async () => {
  expect(refusal(await clientAs(api, org, 'MEMBER').request(`mutation { archiveProject(key: "WEB") { key } }`)).code).toBe('FORBIDDEN');
  expect(refusal(await owner.request(`mutation { archiveProject(key: "NOPE") { key } }`)).code).toBe('NOT_FOUND');
  expect((await owner.ok(`{ project(key: "WEB") { archivedAt } }`)).project.archivedAt).toBeNull();
});

test('project(key) shows labels, sprints and issues; unknown keys are null', async () => {
  await owner.ok(`mutation { createLabel(projectKey: "WEB", name: "ui", color: "#336699") { id } }`);
  await owner.ok(`mutation { createSprint(input: { projectKey: "WEB", name: "Sprint 1" }) { id } }`);
  await createIssue(api.client, org, { projectKey: 'WEB', title: 'Home page' });
  const data = await clientAs(api, org, 'VIEWER').ok(`{ project(key: "WEB") { key labels { name color } sprints { name state } issues { totalCount edges { node { key } } } } }`);
  expect(data.project).toEqual({
    key: 'WEB',
    labels: [{ name: 'ui', color: '#336699' }],
    sprints: [{ name: 'Sprint 1', state: 'PLANNED' }],
    issues: { totalCount: 1, edges: [{ node: { key: 'WEB-1' } }] },
  });
  expect((await owner.ok(`{ project(key: "ZZZ") { key } }`)).project).toBeNull();
});

test('an archived project is hidden from projects unless includeArchived, and every write to it is BAD_USER_INPUT', async () => {
  await owner.ok(CREATE, { input: { key: 'OLD', name: 'Old' } });
  await createIssue(api.client, org, { projectKey: 'OLD', title: 'Legacy' });
  await createIssue(api.client, org, { projectKey: 'OLD', title: 'Legacy too' });
  const { project: old } = await owner.ok(`{ project(key: "OLD") { workflow { id name } } }`);
  const inProgress = old.workflow.find((state: { name: string }) => state.name === 'In Progress').id;
  const archived = await owner.ok(`mutation { archiveProject(key: "OLD") { key archivedAt } }`);
  expect(archived.archiveProject.archivedAt).toEqual(expect.any(String));
  const visible = await owner.ok(`{ projects { totalCount edges { node { key } } } }`);
  expect(visible.projects.edges.map((e: any) => e.node.key)).toEqual(['WEB']);
  const all = await owner.ok(`{ projects(includeArchived: true) { totalCount edges { node { key archivedAt } } } }`);
  expect(all.projects.totalCount).toBe(2);
  const writes = [
    `mutation { createIssue(input: { projectKey: "OLD", title: "New" }) { key } }`,
    `mutation { updateIssue(key: "OLD-1", input: { title: "New" }) { key } }`,
    `mutation { deleteIssue(key: "OLD-1") }`,
    `mutation { transitionIssue(key: "OLD-1", toStateId: "${inProgress}") { key } }`,
    `mutation { rankIssue(key: "OLD-1", afterKey: "OLD-2") { key } }`,
    `mutation { linkIssues(fromKey: "OLD-1", toKey: "OLD-2", type: BLOCKS) { id } }`,
    `mutation { watchIssue(key: "OLD-1") { key } }`,
    `mutation { unwatchIssue(key: "OLD-1") { key } }`,
    `mutation { addComment(issueKey: "OLD-1", body: "hi") { id } }`,
    `mutation { updateProject(key: "OLD", input: { name: "x" }) { key } }`,
    `mutation { createLabel(projectKey: "OLD", name: "x", color: "#000000") { id } }`,
    `mutation { createSprint(input: { projectKey: "OLD", name: "x" }) { id } }`,
  ];
  for (const write of writes) expect({ write, code: refusal(await owner.request(write)).code }).toEqual({ write, code: 'BAD_USER_INPUT' });
  const [row] = await sql.query(`SELECT issue_seq, name FROM projects WHERE key = 'OLD'`);
  expect(row).toEqual({ issue_seq: 2, name: 'Old' });
  expect(await sql.count('comments')).toBe(0);
  expect(await sql.count('issue_links')).toBe(0);
  expect(await sql.count('issue_watchers')).toBe(0);
  expect(await sql.count('issue_events', `kind <> 'CREATED'`)).toBe(0);
  const read = await owner.ok(`{ issue(key: "OLD-1") { title } }`);
  expect(read.issue).toEqual({ title: 'Legacy' });
});

test('projects pages with opaque cursors and refuses first above 100', async () => {
  for (const key of ['AAA', 'BBB', 'CCC']) await owner.ok(CREATE, { input: { key, name: key } });
  const first = await owner.ok(`{ projects(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { key } } } }`);
  expect(first.projects.edges.map((e: any) => e.node.key)).toEqual(['AAA', 'BBB']);
  expect(first.projects.pageInfo.hasNextPage).toBe(true);
  const next = await owner.ok(`query($after: String) { projects(first: 2, after: $after) { pageInfo { hasNextPage hasPreviousPage } edges { node { key } } } }`, {
    after: first.projects.pageInfo.endCursor,
  });
  expect(next.projects.edges.map((e: any) => e.node.key)).toEqual(['CCC', 'WEB']);
  expect(next.projects.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });
  expect(refusal(await owner.request(`{ projects(first: 101) { totalCount } }`))).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
  expect(refusal(await owner.request(`{ projects(after: "garbage") { totalCount } }`))).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
});
