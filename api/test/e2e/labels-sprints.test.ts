// Labels and sprints over HTTP: createLabel, createSprint, startSprint, completeSprint,
// Sprint.issues, and the refusals of each.
import { startTestApi, type TestApi } from '../support/test-server';
import { createIssue, createOrg, createProject, type TestOrg } from '../support/fixtures';
import { clientAs, ownerSql, refusal, type OwnerSql, type RoleClient } from '../support/tracker-api';

let api: TestApi;
let org: TestOrg;
let admin: RoleClient;
let sql: OwnerSql;
let done: string[];

const LABEL = `mutation($key: String!, $name: String!, $color: String!) { createLabel(projectKey: $key, name: $name, color: $color) { id name color } }`;
const SPRINT = `mutation($input: CreateSprintInput!) { createSprint(input: $input) { id name goal state startDate endDate } }`;
const START = `mutation($id: ID!) { startSprint(id: $id) { id state startDate } }`;
const COMPLETE = `mutation($id: ID!, $to: ID) { completeSprint(id: $id, moveOpenIssuesToSprintId: $to) { id state endDate issues { totalCount edges { node { key } } } } }`;

beforeAll(async () => {
  api = await startTestApi('sprints');
  org = await createOrg(api.client, 'spr');
  admin = clientAs(api, org, 'ADMIN');
  sql = ownerSql(api);
  const project = await createProject(api.client, org, 'SPR');
  done = project.workflow.slice(1).map((s) => s.id);
  await createProject(api.client, org, 'OTH');
});
afterAll(async () => {
  await sql?.end();
  await api?.stop();
});

test('createLabel stores a #RRGGBB color and refuses bad colors, names, duplicates and members', async () => {
  const label = (await admin.ok(LABEL, { key: 'SPR', name: 'backend', color: '#0a0B0c' })).createLabel;
  expect(label).toMatchObject({ name: 'backend', color: '#0A0B0C' });
  for (const color of ['#12345', 'blue', '#GGGGGG', '123456']) expect(refusal(await admin.request(LABEL, { key: 'SPR', name: `x${color}`, color }))).toEqual({ code: 'BAD_USER_INPUT', field: 'color' });
  expect(refusal(await admin.request(LABEL, { key: 'SPR', name: '', color: '#000000' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'name' });
  expect(refusal(await admin.request(LABEL, { key: 'SPR', name: 'backend', color: '#000000' }))).toEqual({ code: 'CONFLICT', field: 'name' });
  expect(refusal(await clientAs(api, org, 'MEMBER').request(LABEL, { key: 'SPR', name: 'm', color: '#000000' })).code).toBe('FORBIDDEN');
  expect(refusal(await admin.request(LABEL, { key: 'NOPE', name: 'm', color: '#000000' })).code).toBe('NOT_FOUND');
  expect(await sql.count('labels')).toBe(1);
});

test('a sprint runs PLANNED → ACTIVE → CLOSED and completing moves its unfinished issues to the next sprint', async () => {
  const one = (await admin.ok(SPRINT, { input: { projectKey: 'SPR', name: 'One', goal: 'Ship', startDate: '2030-01-01T00:00:00Z', endDate: '2030-01-15T00:00:00Z' } })).createSprint;
  expect(one).toMatchObject({ state: 'PLANNED', goal: 'Ship', startDate: '2030-01-01T00:00:00.000Z', endDate: '2030-01-15T00:00:00.000Z' });
  const two = (await admin.ok(SPRINT, { input: { projectKey: 'SPR', name: 'Two' } })).createSprint;
  const open = await createIssue(api.client, org, { projectKey: 'SPR', title: 'Open', sprintId: one.id });
  const finished = await createIssue(api.client, org, { projectKey: 'SPR', title: 'Finished', sprintId: one.id });
  for (const state of done) await admin.ok(`mutation($key: String!, $to: ID!) { transitionIssue(key: $key, toStateId: $to) { key } }`, { key: finished.key, to: state });
  expect((await admin.ok(START, { id: one.id })).startSprint.state).toBe('ACTIVE');
  expect(refusal(await admin.request(START, { id: two.id })).code).toBe('CONFLICT');
  const closed = (await admin.ok(COMPLETE, { id: one.id, to: two.id })).completeSprint;
  expect(closed).toMatchObject({ state: 'CLOSED', issues: { totalCount: 1, edges: [{ node: { key: finished.key } }] } });
  const next = await admin.ok(`query($id: ID!) { node(id: $id) { ... on Sprint { state issues { edges { node { key sprint { name } } } } } } }`, { id: two.id });
  expect(next.node).toEqual({ state: 'PLANNED', issues: { edges: [{ node: { key: open.key, sprint: { name: 'Two' } } }] } });
  const history = await admin.ok(`query($key: String!) { issue(key: $key) { version history(first: 1) { edges { node { kind field from to } } } } }`, { key: open.key });
  expect(history.issue).toEqual({ version: 2, history: { edges: [{ node: { kind: 'UPDATED', field: 'sprint', from: one.id, to: two.id } }] } });
});

test('completing without a target sends unfinished issues to the backlog', async () => {
  const sprint = (await admin.ok(SPRINT, { input: { projectKey: 'OTH', name: 'Solo' } })).createSprint;
  const issue = await createIssue(api.client, org, { projectKey: 'OTH', title: 'Leftover', sprintId: sprint.id });
  await admin.ok(START, { id: sprint.id });
  expect((await admin.ok(COMPLETE, { id: sprint.id })).completeSprint.issues.totalCount).toBe(0);
  const read = await admin.ok(`query($key: String!) { issue(key: $key) { sprint { id } } }`, { key: issue.key });
  expect(read.issue.sprint).toBeNull();
});

test('sprint refusals: bad dates and names, wrong states, foreign targets, members', async () => {
  expect(refusal(await admin.request(SPRINT, { input: { projectKey: 'SPR', name: 'x', startDate: '2030-02-01T00:00:00Z', endDate: '2030-01-01T00:00:00Z' } }))).toEqual({ code: 'BAD_USER_INPUT', field: 'endDate' });
  expect(refusal(await admin.request(SPRINT, { input: { projectKey: 'SPR', name: ' ' } }))).toEqual({ code: 'BAD_USER_INPUT', field: 'name' });
  expect(refusal(await clientAs(api, org, 'MEMBER').request(SPRINT, { input: { projectKey: 'SPR', name: 'm' } })).code).toBe('FORBIDDEN');
  const planned = (await admin.ok(SPRINT, { input: { projectKey: 'SPR', name: 'Three' } })).createSprint;
  expect(refusal(await admin.request(COMPLETE, { id: planned.id }))).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
  const foreign = (await admin.ok(SPRINT, { input: { projectKey: 'OTH', name: 'Theirs' } })).createSprint;
  await admin.ok(START, { id: planned.id });
  expect(refusal(await admin.request(COMPLETE, { id: planned.id, to: foreign.id }))).toEqual({ code: 'NOT_FOUND', field: 'moveOpenIssuesToSprintId' });
  expect(refusal(await admin.request(START, { id: planned.id }))).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
  const sprints = await admin.ok(`{ project(key: "SPR") { sprints { name state } } }`);
  expect(sprints.project.sprints).toEqual([
    { name: 'One', state: 'CLOSED' },
    { name: 'Two', state: 'PLANNED' },
    { name: 'Three', state: 'ACTIVE' },
  ]);
});
