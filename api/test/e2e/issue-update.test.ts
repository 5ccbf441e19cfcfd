// updateIssue, watchIssue and unwatchIssue over HTTP: per-field history, optimistic
// concurrency with the current version in extensions, and refused writes that leave nothing.
import { startTestApi, type TestApi } from '../support/test-server';
import { createIssue, createOrg, createProject, type TestOrg } from '../support/fixtures';
import { clientAs, ownerSql, refusal, type OwnerSql, type RoleClient } from '../support/tracker-api';

let api: TestApi;
let org: TestOrg;
let member: RoleClient;
let sql: OwnerSql;

const UPDATE = `mutation($key: String!, $input: UpdateIssueInput!, $v: Int) { updateIssue(key: $key, input: $input, expectedVersion: $v) {
  key title description priority version assignee { id } dueDate storyPoints type parent { key } } }`;
const HISTORY = `query($key: String!) { issue(key: $key) { version history { totalCount edges { node { kind field from to actor { id } at issue { key } } } } } }`;

beforeAll(async () => {
  api = await startTestApi('issueupdate');
  org = await createOrg(api.client, 'upd');
  member = clientAs(api, org, 'MEMBER');
  sql = ownerSql(api);
  await createProject(api.client, org, 'UPD');
});
afterAll(async () => {
  await sql?.end();
  await api?.stop();
});

test('updateIssue changes the named fields, bumps the version once and writes one event per field, newest first', async () => {
  const { key } = await createIssue(api.client, org, { projectKey: 'UPD', title: 'Old title' });
  const data = await member.ok(UPDATE, { key, input: { title: 'New title', priority: 'HIGH', assigneeId: org.users.MEMBER.id }, v: 1 });
  expect(data.updateIssue).toMatchObject({ title: 'New title', priority: 'HIGH', version: 2, assignee: { id: org.users.MEMBER.id } });
  const history = await member.ok(HISTORY, { key });
  expect(history.issue.history.totalCount).toBe(4);
  expect(history.issue.history.edges.map((e: any) => [e.node.kind, e.node.field, e.node.from, e.node.to])).toEqual([
    ['UPDATED', 'assignee', null, org.users.MEMBER.id],
    ['UPDATED', 'priority', 'NONE', 'HIGH'],
    ['UPDATED', 'title', 'Old title', 'New title'],
    ['CREATED', null, null, { key, title: 'Old title', type: 'TASK' }],
  ]);
  expect(history.issue.history.edges[0].node).toMatchObject({ actor: { id: org.users.MEMBER.id }, issue: { key } });
  const unassigned = await member.ok(UPDATE, { key, input: { assigneeId: null } });
  expect(unassigned.updateIssue).toMatchObject({ assignee: null, version: 3 });
});

test('of two concurrent updates with the same expectedVersion one wins and the other is CONFLICT with currentVersion', async () => {
  const { key } = await createIssue(api.client, org, { projectKey: 'UPD', title: 'Contested' });
  const [left, right] = await Promise.all([
    member.request(UPDATE, { key, input: { title: 'Left' }, v: 1 }),
    clientAs(api, org, 'ADMIN').request(UPDATE, { key, input: { title: 'Right' }, v: 1 }),
  ]);
  const winner = left.errors ? right : left;
  const loser = left.errors ? left : right;
  expect(winner.errors).toBeUndefined();
  expect(loser.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
  expect(loser.data).toBeNull();
  const after = await member.ok(HISTORY, { key });
  expect(after.issue.version).toBe(2);
  expect(after.issue.history.totalCount).toBe(2);
  const [row] = await sql.query(`SELECT title FROM issues WHERE number = $1 AND project_id = (SELECT id FROM projects WHERE key = 'UPD')`, [Number(key.split('-')[1])]);
  expect(row).toEqual({ title: winner.data.updateIssue.title });
});

test('a refused update names the field and writes nothing', async () => {
  const { key } = await createIssue(api.client, org, { projectKey: 'UPD', title: 'Stable' });
  const cases: [Record<string, unknown>, string, string][] = [
    [{ title: '' }, 'title', 'BAD_USER_INPUT'],
    [{ title: 'fine', description: 'x'.repeat(100_001) }, 'description', 'BAD_USER_INPUT'],
    [{ title: 'fine', dueDate: '1900-01-01T00:00:00Z' }, 'dueDate', 'BAD_USER_INPUT'],
    [{ title: 'fine', storyPoints: 1e9 }, 'storyPoints', 'BAD_USER_INPUT'],
    [{ title: 'fine', type: 'SUBTASK' }, 'parentKey', 'BAD_USER_INPUT'],
    [{ title: 'fine', parentKey: 'UPD-9999' }, 'parentKey', 'NOT_FOUND'],
    [{ title: 'fine', sprintId: Buffer.from('Sprint:00000000-0000-7000-8000-000000000000').toString('base64url') }, 'sprintId', 'NOT_FOUND'],
  ];
  for (const [input, field, code] of cases) {
    const response = await member.request(UPDATE, { key, input });
    expect({ field, got: refusal(response) }).toEqual({ field, got: { code, field } });
  }
  const after = await member.ok(HISTORY, { key });
  expect(after.issue.version).toBe(1);
  expect(after.issue.history.totalCount).toBe(1);
  expect(refusal(await member.request(UPDATE, { key: 'UPD-424242', input: { title: 'x' } })).code).toBe('NOT_FOUND');
  expect(refusal(await clientAs(api, org, 'VIEWER').request(UPDATE, { key, input: { title: 'x' } })).code).toBe('FORBIDDEN');
});

test('hierarchy changes through updateIssue are checked', async () => {
  const epic = await createIssue(api.client, org, { projectKey: 'UPD', title: 'Epic', type: 'EPIC' });
  const story = await createIssue(api.client, org, { projectKey: 'UPD', title: 'Story', type: 'STORY' });
  const moved = await member.ok(UPDATE, { key: story.key, input: { parentKey: epic.key } });
  expect(moved.updateIssue.parent).toEqual({ key: epic.key });
  expect(refusal(await member.request(UPDATE, { key: epic.key, input: { type: 'STORY' } }))).toEqual({ code: 'BAD_USER_INPUT', field: 'type' });
  expect(refusal(await member.request(UPDATE, { key: epic.key, input: { parentKey: story.key } }))).toEqual({ code: 'BAD_USER_INPUT', field: 'parentKey' });
  const tree = await member.ok(`query($key: String!) { issue(key: $key) { children { key parent { key } } } }`, { key: epic.key });
  expect(tree.issue.children).toEqual([{ key: story.key, parent: { key: epic.key } }]);
});

test('watchIssue and unwatchIssue add and remove only the caller, any role may watch, and the issue does not change', async () => {
  const { key } = await createIssue(api.client, org, { projectKey: 'UPD', title: 'Watched' });
  const watch = `mutation($key: String!) { watchIssue(key: $key) { version watchers { id } } }`;
  const unwatch = `mutation($key: String!) { unwatchIssue(key: $key) { version watchers { id } } }`;
  await clientAs(api, org, 'VIEWER').ok(watch, { key });
  const twice = await member.ok(watch, { key });
  await member.ok(watch, { key });
  expect(twice.watchIssue.watchers.map((w: any) => w.id).sort()).toEqual([org.users.VIEWER.id, org.users.MEMBER.id].sort());
  const after = await member.ok(unwatch, { key });
  expect(after.unwatchIssue).toEqual({ version: 1, watchers: [{ id: org.users.VIEWER.id }] });
  expect(refusal(await member.request(watch, { key: 'UPD-9999' })).code).toBe('NOT_FOUND');
  expect(refusal(await member.request(unwatch, { key: 'UPD-9999' })).code).toBe('NOT_FOUND');
});
