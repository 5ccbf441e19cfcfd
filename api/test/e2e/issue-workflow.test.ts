// transitionIssue and rankIssue over HTTP: only allowed moves (the refusal names the allowed
// targets), and board order that follows rank moves exactly.
import { startTestApi, type TestApi } from '../support/test-server';
import { createIssue, createOrg, createProject, type TestOrg } from '../support/fixtures';
import { clientAs, refusal, type RoleClient } from '../support/tracker-api';

let api: TestApi;
let org: TestOrg;
let member: RoleClient;
let states: Record<string, string>;

const MOVE = `mutation($key: String!, $to: ID!, $v: Int) { transitionIssue(key: $key, toStateId: $to, expectedVersion: $v) { version status { name category } } }`;
const RANK = `mutation($key: String!, $after: String, $before: String) { rankIssue(key: $key, afterKey: $after, beforeKey: $before) { key rank version } }`;

beforeAll(async () => {
  api = await startTestApi('workflow');
  org = await createOrg(api.client, 'wf');
  member = clientAs(api, org, 'MEMBER');
  const project = await createProject(api.client, org, 'WF');
  states = Object.fromEntries(project.workflow.map((s) => [s.name, s.id]));
  await createProject(api.client, org, 'BRD');
});
afterAll(() => api?.stop());

async function board(): Promise<string[]> {
  const data = await member.ok(`{ project(key: "BRD") { issues(first: 100) { edges { node { key } } } } }`);
  return data.project.issues.edges.map((e: any) => e.node.key);
}

test('transitionIssue moves along allowed transitions and records each move in history', async () => {
  const { key } = await createIssue(api.client, org, { projectKey: 'WF', title: 'Flow' });
  const steps = ['In Progress', 'In Review', 'Done', 'In Review', 'To Do'];
  for (const [i, name] of steps.entries()) {
    const data = await member.ok(MOVE, { key, to: states[name], v: i + 1 });
    expect(data.transitionIssue).toMatchObject({ version: i + 2, status: { name } });
  }
  const history = await member.ok(`query($key: String!) { issue(key: $key) { history { edges { node { kind field from to } } } } }`, { key });
  const moves = history.issue.history.edges.filter((e: any) => e.node.kind === 'TRANSITIONED').map((e: any) => `${e.node.from.name}>${e.node.to.name}`);
  expect(moves).toEqual(['In Review>To Do', 'Done>In Review', 'In Review>Done', 'In Progress>In Review', 'To Do>In Progress']);
});

test('a move that is not allowed is BAD_USER_INPUT naming the allowed targets, and the issue is unchanged', async () => {
  const { key } = await createIssue(api.client, org, { projectKey: 'WF', title: 'Skipper' });
  const response = await member.request(MOVE, { key, to: states.Done });
  expect(refusal(response)).toEqual({ code: 'BAD_USER_INPUT', field: 'toStateId' });
  expect(response.errors![0]!.message).toMatch(/allowed: In Progress$/);
  const read = await member.ok(`query($key: String!) { issue(key: $key) { version status { name transitionsTo { name } } } }`, { key });
  expect(read.issue).toEqual({ version: 1, status: { name: 'To Do', transitionsTo: [{ name: 'In Progress' }] } });
});

test('transitionIssue refuses stale versions, foreign states, viewers and malformed ids', async () => {
  const { key } = await createIssue(api.client, org, { projectKey: 'WF', title: 'Refusals' });
  const stale = await member.request(MOVE, { key, to: states['In Progress'], v: 7 });
  expect(stale.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 1 });
  const brd = await member.ok(`{ project(key: "BRD") { workflow { id } } }`);
  expect(refusal(await member.request(MOVE, { key, to: brd.project.workflow[1].id }))).toEqual({ code: 'NOT_FOUND', field: 'toStateId' });
  expect(refusal(await clientAs(api, org, 'VIEWER').request(MOVE, { key, to: states['In Progress'] })).code).toBe('FORBIDDEN');
  expect(refusal(await member.request(MOVE, { key, to: 'garbage' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'toStateId' });
});

test('rankIssue reorders the board and the default order of a project follows rank', async () => {
  for (let i = 0; i < 5; i++) await createIssue(api.client, org, { projectKey: 'BRD', title: `Card ${i}` });
  expect(await board()).toEqual(['BRD-1', 'BRD-2', 'BRD-3', 'BRD-4', 'BRD-5']);
  const moved = await member.ok(RANK, { key: 'BRD-5', after: null, before: 'BRD-1' });
  expect(moved.rankIssue.version).toBe(2);
  await member.ok(RANK, { key: 'BRD-1', after: 'BRD-3', before: 'BRD-4' });
  await member.ok(RANK, { key: 'BRD-2', after: 'BRD-4', before: null });
  expect(await board()).toEqual(['BRD-5', 'BRD-3', 'BRD-1', 'BRD-4', 'BRD-2']);
  const versions = await member.ok(`{ project(key: "BRD") { issues { edges { node { key version } } } } }`);
  expect(Object.fromEntries(versions.project.issues.edges.map((e: any) => [e.node.key, e.node.version]))).toEqual({ 'BRD-1': 2, 'BRD-2': 2, 'BRD-3': 1, 'BRD-4': 1, 'BRD-5': 2 });
});

test('forty moves between the same two neighbours over HTTP keep the order exact', async () => {
  const expected = await board();
  const [top, bottom] = [expected[0]!, expected[1]!];
  const movers = expected.slice(2);
  for (let i = 0; i < 40; i++) {
    const mover = movers[i % movers.length]!;
    await member.ok(RANK, { key: mover, after: top, before: bottom });
    expected.splice(expected.indexOf(mover), 1);
    expected.splice(1, 0, mover);
  }
  expect(await board()).toEqual(expected);
  const ranks = await member.ok(`{ project(key: "BRD") { issues(orderBy: { field: RANK, direction: ASC }) { edges { node { rank } } } } }`);
  const values = ranks.project.issues.edges.map((e: any) => e.node.rank);
  expect(new Set(values).size).toBe(values.length);
  expect([...values].sort()).toEqual(values);
});

test('rankIssue refuses missing neighbours, neighbours in the wrong order or project, and viewers', async () => {
  const order = await board();
  await createIssue(api.client, org, { projectKey: 'WF', title: 'elsewhere' });
  expect(refusal(await member.request(RANK, { key: 'BRD-1' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'afterKey' });
  expect(refusal(await member.request(RANK, { key: 'BRD-1', after: order[4], before: order[0] }))).toEqual({ code: 'BAD_USER_INPUT', field: 'beforeKey' });
  expect(refusal(await member.request(RANK, { key: 'BRD-1', after: 'WF-1' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'afterKey' });
  expect(refusal(await member.request(RANK, { key: 'BRD-1', before: 'BRD-99' }))).toEqual({ code: 'NOT_FOUND', field: 'beforeKey' });
  expect(refusal(await clientAs(api, org, 'VIEWER').request(RANK, { key: 'BRD-1', after: order[0] })).code).toBe('FORBIDDEN');
  expect(await board()).toEqual(order);
});
