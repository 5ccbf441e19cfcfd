// Workflow administration over HTTP: states created, renamed, recategorized, reordered and
// deleted, transitions replaced and then enforced, and concurrent edits of one workflow.
import { startTestApi, type TestApi } from '../support/test-server';
import { createIssue, createOrg, createProject, type TestOrg } from '../support/fixtures';
import { clientAs, ownerSql, refusal, type OwnerSql, type RoleClient } from '../support/tracker-api';

let api: TestApi;
let org: TestOrg;
let admin: RoleClient;
let sql: OwnerSql;

const CREATE = `mutation($input: CreateWorkflowStateInput!) { createWorkflowState(input: $input) { id name category position } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateWorkflowStateInput!) { updateWorkflowState(id: $id, input: $input) { id name category position } }`;
const DELETE = `mutation($id: ID!, $to: ID!) { deleteWorkflowState(id: $id, moveIssuesToStateId: $to) }`;
const SET = `mutation($from: ID!, $to: [ID!]!) { setWorkflowTransitions(fromStateId: $from, toStateIds: $to) { id transitionsTo { id } } }`;
const TRANSITION = `mutation($key: String!, $to: ID!) { transitionIssue(key: $key, toStateId: $to) { status { id } } }`;
const WORKFLOW = `query($key: String!) { project(key: $key) { workflow { id name category position } } }`;

type State = { id: string; name: string; category: string; position: number };
const workflowOf = async (key: string): Promise<State[]> => (await admin.ok(WORKFLOW, { key })).project.workflow;
const names = (states: State[]) => states.map((state) => state.name);
/** The row id inside a global id, for SQL. */
const rowId = (globalId: string) => Buffer.from(globalId, 'base64url').toString().split(':')[1]!;

beforeAll(async () => {
  api = await startTestApi('workflow');
  org = await createOrg(api.client, 'wf');
  admin = clientAs(api, org, 'ADMIN');
  sql = ownerSql(api);
});
afterAll(async () => {
  await sql?.end();
  await api?.stop();
});

test('states are created at the end or at a position, with unique names, by ADMINs', async () => {
  await createProject(api.client, org, 'WFA');
  const blocked = (await admin.ok(CREATE, { input: { projectKey: 'WFA', name: 'Blocked', category: 'IN_PROGRESS' } })).createWorkflowState;
  expect(blocked).toMatchObject({ name: 'Blocked', category: 'IN_PROGRESS', position: 4 });
  const triage = (await admin.ok(CREATE, { input: { projectKey: 'WFA', name: 'Triage', category: 'TODO', position: 0 } })).createWorkflowState;
  expect(triage.position).toBe(0);
  const workflow = await workflowOf('WFA');
  expect(names(workflow)).toEqual(['Triage', 'To Do', 'In Progress', 'In Review', 'Done', 'Blocked']);
  expect(workflow.map((state) => state.position)).toEqual([0, 1, 2, 3, 4, 5]);

  expect(refusal(await admin.request(CREATE, { input: { projectKey: 'WFA', name: 'blocked', category: 'TODO' } }))).toEqual({ code: 'CONFLICT', field: 'name' });
  expect(refusal(await admin.request(CREATE, { input: { projectKey: 'WFA', name: ' ', category: 'TODO' } }))).toEqual({ code: 'BAD_USER_INPUT', field: 'name' });
  expect(refusal(await admin.request(CREATE, { input: { projectKey: 'WFA', name: 'Far', category: 'TODO', position: 7 } }))).toEqual({ code: 'BAD_USER_INPUT', field: 'position' });
  expect(refusal(await clientAs(api, org, 'MEMBER').request(CREATE, { input: { projectKey: 'WFA', name: 'Mine', category: 'TODO' } })).code).toBe('FORBIDDEN');
  expect(names(await workflowOf('WFA'))).toHaveLength(6);
});

test('a state is renamed, recategorized and moved, and the others shift to keep 0..n-1', async () => {
  await createProject(api.client, org, 'WFB');
  const [todo, progress, review, done] = await workflowOf('WFB');
  expect((await admin.ok(UPDATE, { id: review!.id, input: { name: 'QA', category: 'DONE' } })).updateWorkflowState).toEqual({ id: review!.id, name: 'QA', category: 'DONE', position: 2 });
  expect((await admin.ok(UPDATE, { id: done!.id, input: { position: 0 } })).updateWorkflowState.position).toBe(0);
  expect(names(await workflowOf('WFB'))).toEqual(['Done', 'To Do', 'In Progress', 'QA']);
  await admin.ok(UPDATE, { id: done!.id, input: { position: 3 } });
  const workflow = await workflowOf('WFB');
  expect(workflow.map((state) => [state.name, state.position])).toEqual([['To Do', 0], ['In Progress', 1], ['QA', 2], ['Done', 3]]);
  expect(refusal(await admin.request(UPDATE, { id: todo!.id, input: { name: 'in progress' } }))).toEqual({ code: 'CONFLICT', field: 'name' });
  expect(refusal(await admin.request(UPDATE, { id: todo!.id, input: { position: 4 } }))).toEqual({ code: 'BAD_USER_INPUT', field: 'position' });
  expect(refusal(await clientAs(api, org, 'MEMBER').request(UPDATE, { id: progress!.id, input: { name: 'x' } })).code).toBe('FORBIDDEN');
});

test('setWorkflowTransitions replaces the outgoing transitions, and transitionIssue follows the new rules', async () => {
  await createProject(api.client, org, 'WFC');
  const [todo, progress, review, done] = await workflowOf('WFC');
  const issue = await createIssue(api.client, org, { projectKey: 'WFC', title: 'Shortcut' });
  // The default workflow does not allow To Do → Done.
  expect(refusal(await admin.request(TRANSITION, { key: issue.key, to: done!.id }))).toEqual({ code: 'BAD_USER_INPUT', field: 'toStateId' });
  const set = (await admin.ok(SET, { from: todo!.id, to: [done!.id, done!.id] })).setWorkflowTransitions;
  expect(set).toEqual({ id: todo!.id, transitionsTo: [{ id: done!.id }] });
  // To Do → In Progress was allowed before and is not now.
  const other = await createIssue(api.client, org, { projectKey: 'WFC', title: 'Normal' });
  expect(refusal(await admin.request(TRANSITION, { key: other.key, to: progress!.id }))).toEqual({ code: 'BAD_USER_INPUT', field: 'toStateId' });
  expect((await admin.ok(TRANSITION, { key: issue.key, to: done!.id })).transitionIssue.status.id).toBe(done!.id);

  expect(refusal(await admin.request(SET, { from: review!.id, to: [review!.id] }))).toEqual({ code: 'BAD_USER_INPUT', field: 'toStateIds' });
  await createProject(api.client, org, 'WFX');
  const [foreign] = await workflowOf('WFX');
  expect(refusal(await admin.request(SET, { from: review!.id, to: [foreign!.id] }))).toEqual({ code: 'NOT_FOUND', field: 'toStateIds' });
  // An empty list makes a final state.
  expect((await admin.ok(SET, { from: done!.id, to: [] })).setWorkflowTransitions.transitionsTo).toEqual([]);
  expect(refusal(await admin.request(TRANSITION, { key: issue.key, to: todo!.id })).code).toBe('BAD_USER_INPUT');
});

test('deleting a state moves its issues to the named state with history, and a project keeps at least one state', async () => {
  await createProject(api.client, org, 'WFD');
  const [todo, progress, review, done] = await workflowOf('WFD');
  const one = await createIssue(api.client, org, { projectKey: 'WFD', title: 'One' });
  const two = await createIssue(api.client, org, { projectKey: 'WFD', title: 'Two' });
  expect((await admin.ok(DELETE, { id: todo!.id, to: review!.id })).deleteWorkflowState).toBe(true);
  for (const issue of [one, two]) {
    const read = await admin.ok(`query($key: String!) { issue(key: $key) { version status { id } history(first: 1) { edges { node { kind field from to } } } } }`, { key: issue.key });
    expect(read.issue).toEqual({
      version: issue.version + 1,
      status: { id: review!.id },
      history: { edges: [{ node: { kind: 'TRANSITIONED', field: 'status', from: { id: todo!.id, name: 'To Do', category: 'TODO' }, to: { id: review!.id, name: 'In Review', category: 'IN_PROGRESS' } } }] },
    });
  }
  const workflow = await workflowOf('WFD');
  expect(workflow.map((state) => [state.name, state.position])).toEqual([['In Progress', 0], ['In Review', 1], ['Done', 2]]);
  expect(await sql.count('workflow_transitions', 'from_state_id = $1 OR to_state_id = $1', [rowId(todo!.id)])).toBe(0);
  // New issues start in the first remaining state.
  const three = await createIssue(api.client, org, { projectKey: 'WFD', title: 'Three' });
  expect((await admin.ok(`query($key: String!) { issue(key: $key) { status { id } } }`, { key: three.key })).issue.status.id).toBe(progress!.id);

  expect(refusal(await admin.request(DELETE, { id: progress!.id, to: progress!.id }))).toEqual({ code: 'BAD_USER_INPUT', field: 'moveIssuesToStateId' });
  await admin.ok(DELETE, { id: progress!.id, to: done!.id });
  await admin.ok(DELETE, { id: review!.id, to: done!.id });
  expect(names(await workflowOf('WFD'))).toEqual(['Done']);
  expect(refusal(await admin.request(DELETE, { id: done!.id, to: done!.id }))).toEqual({ code: 'BAD_USER_INPUT', field: 'moveIssuesToStateId' });
  expect(await sql.count('issues', `status_id = $1`, [rowId(done!.id)])).toBe(3);
});

test('concurrent edits of one workflow are serialized: every create lands and positions stay 0..n-1', async () => {
  await createProject(api.client, org, 'WFE');
  const results = await Promise.all(
    Array.from({ length: 12 }, (_, i) => admin.request(CREATE, { input: { projectKey: 'WFE', name: `S${i}`, category: 'IN_PROGRESS', position: i % 3 } })),
  );
  expect(results.filter((response) => response.errors)).toEqual([]);
  const workflow = await workflowOf('WFE');
  expect(workflow).toHaveLength(16);
  expect(workflow.map((state) => state.position)).toEqual(Array.from({ length: 16 }, (_, i) => i));
});

test('transitions racing the deletion of their target state end as a move or NOT_FOUND, never a broken issue', async () => {
  await createProject(api.client, org, 'WFF');
  const [todo, progress, , done] = await workflowOf('WFF');
  const issues = await Promise.all(Array.from({ length: 8 }, (_, i) => createIssue(api.client, org, { projectKey: 'WFF', title: `Race ${i}` })));
  const [deleted, ...transitions] = await Promise.all([
    admin.request(DELETE, { id: progress!.id, to: done!.id }),
    ...issues.map((issue) => admin.request(TRANSITION, { key: issue.key, to: progress!.id })),
  ]);
  expect(deleted!.errors).toBeUndefined();
  for (const response of transitions) {
    if (response.errors) expect(refusal(response)).toEqual({ code: 'NOT_FOUND', field: 'toStateId' });
  }
  // Whoever won, no issue points at the deleted state, and every issue is To Do or (moved) Done.
  const statuses = await sql.query<{ status_id: string }>(`SELECT status_id FROM issues WHERE project_id = (SELECT id FROM projects WHERE key = 'WFF')`);
  expect(statuses.every((row) => row.status_id === rowId(todo!.id) || row.status_id === rowId(done!.id))).toBe(true);
  expect(statuses).toHaveLength(8);
});
