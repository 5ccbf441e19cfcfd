// Project, label and sprint administration over HTTP: unarchiveProject, deleteProject,
// updateLabel, deleteLabel, updateSprint, deleteSprint, and what each leaves in the database.
import { startTestApi, type TestApi } from '../support/test-server';
import { createIssue, createOrg, createProject, type TestOrg } from '../support/fixtures';
import { clientAs, ownerSql, refusal, type OwnerSql, type RoleClient } from '../support/tracker-api';

let api: TestApi;
let org: TestOrg;
let admin: RoleClient;
let owner: RoleClient;
let sql: OwnerSql;

const LABEL = `mutation($key: String!, $name: String!, $color: String!) { createLabel(projectKey: $key, name: $name, color: $color) { id } }`;
const UPDATE_LABEL = `mutation($id: ID!, $name: String, $color: String) { updateLabel(id: $id, name: $name, color: $color) { id name color } }`;
const DELETE_LABEL = `mutation($id: ID!) { deleteLabel(id: $id) }`;
const SPRINT = `mutation($input: CreateSprintInput!) { createSprint(input: $input) { id } }`;
const UPDATE_SPRINT = `mutation($id: ID!, $input: UpdateSprintInput!) { updateSprint(id: $id, input: $input) { id name goal startDate endDate state } }`;
const DELETE_SPRINT = `mutation($id: ID!) { deleteSprint(id: $id) }`;
const DELETE_PROJECT = `mutation($key: String!, $confirm: String!) { deleteProject(key: $key, confirmKey: $confirm) }`;
const ISSUE = `query($key: String!) { issue(key: $key) { version labels { id } sprint { id } history(first: 1) { edges { node { kind field from to } } } } }`;

beforeAll(async () => {
  api = await startTestApi('projadmin', { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_WORKER_CONCURRENCY: '0' });
  org = await createOrg(api.client, 'padm');
  admin = clientAs(api, org, 'ADMIN');
  owner = clientAs(api, org, 'OWNER');
  sql = ownerSql(api);
});
afterAll(async () => {
  await sql?.end();
  await api?.stop();
});

test('unarchiveProject makes an archived project listed and writable again', async () => {
  await createProject(api.client, org, 'ARC');
  await admin.ok(`mutation { archiveProject(key: "ARC") { key } }`);
  expect(refusal(await admin.request(LABEL, { key: 'ARC', name: 'x', color: '#000000' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'projectKey' });
  const restored = await admin.ok(`mutation { unarchiveProject(key: "ARC") { key archivedAt } }`);
  expect(restored.unarchiveProject).toEqual({ key: 'ARC', archivedAt: null });
  const listed = await admin.ok(`{ projects(first: 100) { edges { node { key } } } }`);
  expect(listed.projects.edges.map((e: any) => e.node.key)).toContain('ARC');
  await admin.ok(LABEL, { key: 'ARC', name: 'x', color: '#000000' });
  // Unarchiving an active project changes nothing and is not an error.
  expect((await admin.ok(`mutation { unarchiveProject(key: "ARC") { archivedAt } }`)).unarchiveProject.archivedAt).toBeNull();
  expect(refusal(await admin.request(`mutation { unarchiveProject(key: "NOPE") { key } }`)).code).toBe('NOT_FOUND');
});

test('updateLabel renames and recolors, and refuses bad colors, taken names and archived projects', async () => {
  await createProject(api.client, org, 'LBL');
  const bug = (await admin.ok(LABEL, { key: 'LBL', name: 'bug', color: '#FF0000' })).createLabel.id;
  await admin.ok(LABEL, { key: 'LBL', name: 'chore', color: '#00FF00' });
  expect((await admin.ok(UPDATE_LABEL, { id: bug, name: ' defect ', color: '#abcdef' })).updateLabel).toEqual({ id: bug, name: 'defect', color: '#ABCDEF' });
  expect((await admin.ok(UPDATE_LABEL, { id: bug, color: '#000000' })).updateLabel).toEqual({ id: bug, name: 'defect', color: '#000000' });
  expect(refusal(await admin.request(UPDATE_LABEL, { id: bug, color: 'red' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'color' });
  expect(refusal(await admin.request(UPDATE_LABEL, { id: bug, name: 'chore' }))).toEqual({ code: 'CONFLICT', field: 'name' });
  expect(refusal(await clientAs(api, org, 'MEMBER').request(UPDATE_LABEL, { id: bug, name: 'mine' })).code).toBe('FORBIDDEN');
  await admin.ok(`mutation { archiveProject(key: "LBL") { key } }`);
  expect(refusal(await admin.request(UPDATE_LABEL, { id: bug, name: 'late' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'projectKey' });
  const [row] = await sql.query<{ name: string; color: string }>(`SELECT name, color FROM labels WHERE name = 'defect'`);
  expect(row).toEqual({ name: 'defect', color: '#000000' });
});

test('deleteLabel takes the label off each issue with a version bump and a history entry, then deletes it', async () => {
  await createProject(api.client, org, 'DLB');
  const bug = (await admin.ok(LABEL, { key: 'DLB', name: 'bug', color: '#FF0000' })).createLabel.id;
  const ui = (await admin.ok(LABEL, { key: 'DLB', name: 'ui', color: '#0000FF' })).createLabel.id;
  const both = await createIssue(api.client, org, { projectKey: 'DLB', title: 'Both', labelIds: [bug, ui] });
  const onlyBug = await createIssue(api.client, org, { projectKey: 'DLB', title: 'Bug', labelIds: [bug] });
  const untouched = await createIssue(api.client, org, { projectKey: 'DLB', title: 'UI', labelIds: [ui] });
  expect((await admin.ok(DELETE_LABEL, { id: bug })).deleteLabel).toBe(true);

  const read = async (key: string) => (await admin.ok(ISSUE, { key })).issue;
  expect(await read(both.key)).toEqual({
    version: both.version + 1,
    labels: [{ id: ui }],
    sprint: null,
    history: { edges: [{ node: { kind: 'UPDATED', field: 'labels', from: expect.arrayContaining([bug, ui]), to: [ui] } }] },
  });
  expect(await read(onlyBug.key)).toMatchObject({ version: onlyBug.version + 1, labels: [], history: { edges: [{ node: { field: 'labels', from: [bug], to: [] } }] } });
  expect(await read(untouched.key)).toMatchObject({ version: untouched.version, labels: [{ id: ui }] });
  expect(await sql.count('labels', `name = 'bug'`)).toBe(0);
  expect(refusal(await admin.request(DELETE_LABEL, { id: bug })).code).toBe('NOT_FOUND');
});

test('updateSprint edits only what it names, clears with null, and refuses dates out of order', async () => {
  await createProject(api.client, org, 'USP');
  const id = (await admin.ok(SPRINT, { input: { projectKey: 'USP', name: 'One', goal: 'Ship', startDate: '2030-01-01T00:00:00Z', endDate: '2030-01-15T00:00:00Z' } })).createSprint.id;
  expect((await admin.ok(UPDATE_SPRINT, { id, input: { name: 'First' } })).updateSprint).toEqual({
    id,
    name: 'First',
    goal: 'Ship',
    startDate: '2030-01-01T00:00:00.000Z',
    endDate: '2030-01-15T00:00:00.000Z',
    state: 'PLANNED',
  });
  expect((await admin.ok(UPDATE_SPRINT, { id, input: { goal: null, endDate: '2030-01-20T00:00:00Z' } })).updateSprint).toMatchObject({ goal: null, endDate: '2030-01-20T00:00:00.000Z' });
  // An end before the stored start is refused even when only the end is sent.
  expect(refusal(await admin.request(UPDATE_SPRINT, { id, input: { endDate: '2029-12-01T00:00:00Z' } }))).toEqual({ code: 'BAD_USER_INPUT', field: 'endDate' });
  expect(refusal(await admin.request(UPDATE_SPRINT, { id, input: { name: '  ' } }))).toEqual({ code: 'BAD_USER_INPUT', field: 'name' });
  expect(refusal(await clientAs(api, org, 'MEMBER').request(UPDATE_SPRINT, { id, input: { name: 'x' } })).code).toBe('FORBIDDEN');
  const [row] = await sql.query<{ name: string; goal: string | null }>(`SELECT name, goal FROM sprints WHERE name = 'First'`);
  expect(row).toEqual({ name: 'First', goal: null });
});

test('deleteSprint refuses an ACTIVE sprint and sends a planned sprint’s issues to the backlog with history', async () => {
  await createProject(api.client, org, 'DSP');
  const active = (await admin.ok(SPRINT, { input: { projectKey: 'DSP', name: 'Now' } })).createSprint.id;
  await admin.ok(`mutation($id: ID!) { startSprint(id: $id) { id } }`, { id: active });
  const inActive = await createIssue(api.client, org, { projectKey: 'DSP', title: 'Active work', sprintId: active });
  expect(refusal(await admin.request(DELETE_SPRINT, { id: active }))).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
  expect((await admin.ok(ISSUE, { key: inActive.key })).issue.sprint).toEqual({ id: active });

  const planned = (await admin.ok(SPRINT, { input: { projectKey: 'DSP', name: 'Later' } })).createSprint.id;
  const issue = await createIssue(api.client, org, { projectKey: 'DSP', title: 'Planned work', sprintId: planned });
  expect((await admin.ok(DELETE_SPRINT, { id: planned })).deleteSprint).toBe(true);
  expect((await admin.ok(ISSUE, { key: issue.key })).issue).toMatchObject({
    version: issue.version + 1,
    sprint: null,
    history: { edges: [{ node: { kind: 'UPDATED', field: 'sprint', from: planned, to: null } }] },
  });
  expect(await sql.count('sprints', `name = 'Later'`)).toBe(0);
  expect(refusal(await admin.request(DELETE_SPRINT, { id: planned })).code).toBe('NOT_FOUND');
});

test('deleteProject needs the key typed again, is for OWNERs, and removes that project and nothing else', async () => {
  await createProject(api.client, org, 'DOOM');
  await createProject(api.client, org, 'KEEP');
  for (const key of ['DOOM', 'KEEP']) {
    await admin.ok(`mutation($k: String!) { createWebhook(projectKey: $k, url: "http://127.0.0.1:9/h", events: ["*"]) { webhook { id } } }`, { k: key });
    const label = (await admin.ok(LABEL, { key, name: 'l', color: '#111111' })).createLabel.id;
    const sprint = (await admin.ok(SPRINT, { input: { projectKey: key, name: 's' } })).createSprint.id;
    const parent = await createIssue(api.client, org, { projectKey: key, title: 'Parent', labelIds: [label], sprintId: sprint });
    const child = await createIssue(api.client, org, { projectKey: key, title: 'Child' });
    await admin.ok(`mutation($f: String!, $t: String!) { linkIssues(fromKey: $f, toKey: $t, type: BLOCKS) { id } }`, { f: parent.key, t: child.key });
    await admin.ok(`mutation($k: String!) { addComment(issueKey: $k, body: "hi") { id } }`, { k: parent.key });
    await admin.ok(`mutation($k: String!) { watchIssue(key: $k) { key } }`, { k: parent.key });
  }
  // Every table under a project, with how a row names its project.
  const inProject: Readonly<Record<string, string>> = {
    issues: 'project_id = $1',
    labels: 'project_id = $1',
    sprints: 'project_id = $1',
    workflow_states: 'project_id = $1',
    issue_events: 'project_id = $1',
    webhooks: 'project_id = $1',
    comments: 'issue_id IN (SELECT id FROM issues WHERE project_id = $1)',
    issue_labels: 'issue_id IN (SELECT id FROM issues WHERE project_id = $1)',
    issue_watchers: 'issue_id IN (SELECT id FROM issues WHERE project_id = $1)',
    issue_links: 'from_issue_id IN (SELECT id FROM issues WHERE project_id = $1)',
    webhook_deliveries: 'webhook_id IN (SELECT id FROM webhooks WHERE project_id = $1)',
    workflow_transitions: 'from_state_id IN (SELECT id FROM workflow_states WHERE project_id = $1)',
  };
  const countsOf = async (projectId: string): Promise<Record<string, number>> => Object.fromEntries(await Promise.all(Object.entries(inProject).map(async ([t, where]) => [t, await sql.count(t, where, [projectId])])));
  const [{ id: doomId }] = await sql.query<{ id: string }>(`SELECT id FROM projects WHERE key = 'DOOM'`);
  const [{ id: keepId }] = await sql.query<{ id: string }>(`SELECT id FROM projects WHERE key = 'KEEP'`);
  const keepBefore = await countsOf(keepId);
  const doomBefore = await countsOf(doomId);
  // The fixture really filled every table, so "all gone" below means something.
  for (const [table, count] of Object.entries(doomBefore)) expect([table, count > 0]).toEqual([table, true]);

  expect(refusal(await owner.request(DELETE_PROJECT, { key: 'DOOM', confirm: 'doom' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'confirmKey' });
  expect(refusal(await admin.request(DELETE_PROJECT, { key: 'DOOM', confirm: 'DOOM' })).code).toBe('FORBIDDEN');
  expect(await sql.count('projects', `key = 'DOOM'`)).toBe(1);

  expect((await owner.ok(DELETE_PROJECT, { key: 'DOOM', confirm: 'DOOM' })).deleteProject).toBe(true);
  expect(await sql.count('projects', `key = 'DOOM'`)).toBe(0);
  expect(Object.values(await countsOf(doomId)).every((count) => count === 0)).toBe(true);
  expect(await countsOf(keepId)).toEqual(keepBefore);
  expect((await admin.ok(`{ project(key: "DOOM") { key } }`)).project).toBeNull();
  expect(refusal(await owner.request(DELETE_PROJECT, { key: 'DOOM', confirm: 'DOOM' })).code).toBe('NOT_FOUND');
});
