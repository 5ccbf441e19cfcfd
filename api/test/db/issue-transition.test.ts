// Workflow transitions: only along the project's allowed moves, with version and history.
import { transitionIssue } from '../../src/modules/issue/issue-transition.service';
import { archiveProject } from '../../src/modules/project/project.service';
import { keyOf, makeIssue, makeProject, openServiceWorld, refusalOf, type ProjectWithStates, type ServiceWorld } from '../support/service-world';

let world: ServiceWorld;
let project: ProjectWithStates;
let todo: string, progress: string, review: string, done: string;

beforeAll(async () => {
  world = await openServiceWorld('transition');
  project = await makeProject(world, 'FLOW');
  [todo, progress, review, done] = project.states.map((s) => s.id) as [string, string, string, string];
});
afterAll(() => world?.close());

const move = (key: string, to: string, expectedVersion?: number) => transitionIssue(world.org.actors.MEMBER, key, to, expectedVersion);

test('an issue walks forward through every state, one step at a time', async () => {
  const key = keyOf('FLOW', await makeIssue(world, 'FLOW'));
  expect((await move(key, progress)).statusId).toBe(progress);
  expect((await move(key, review)).statusId).toBe(review);
  const finished = await move(key, done);
  expect(finished).toMatchObject({ statusId: done, version: 4 });
});

test('an issue may step back one state or return to To Do from anywhere', async () => {
  const key = keyOf('FLOW', await makeIssue(world, 'FLOW'));
  await move(key, progress);
  await move(key, review);
  await move(key, done);
  expect((await move(key, review)).statusId).toBe(review);
  expect((await move(key, progress)).statusId).toBe(progress);
  await move(key, review);
  await move(key, done);
  expect((await move(key, todo)).statusId).toBe(todo);
});

test('a move that is not allowed is BAD_USER_INPUT naming the allowed targets, and nothing changes', async () => {
  const issue = await makeIssue(world, 'FLOW');
  const key = keyOf('FLOW', issue);
  const skip = await refusalOf(() => move(key, review));
  expect(skip).toMatchObject({ code: 'BAD_USER_INPUT', field: 'toStateId' });
  expect(skip.message).toContain('In Progress');
  expect(skip.message).toContain('In Review');
  expect(await refusalOf(() => move(key, done))).toMatchObject({ code: 'BAD_USER_INPUT' });
  expect(await refusalOf(() => move(key, todo))).toMatchObject({ code: 'BAD_USER_INPUT' });
  await move(key, progress);
  await move(key, review);
  await move(key, done);
  const back = await refusalOf(() => move(key, progress));
  expect(back.message).toMatch(/allowed: .*To Do.*In Review|allowed: .*In Review.*To Do/);
  const [row] = await world.sql(`SELECT status_id, version FROM issues WHERE id = $1`, [issue.id]);
  expect(row).toEqual({ status_id: done, version: 4 });
});

test('a transition writes one TRANSITIONED event with the states before and after', async () => {
  const issue = await makeIssue(world, 'FLOW');
  await move(keyOf('FLOW', issue), progress);
  const events = await world.sql<{ kind: string; field: string; from: { name: string }; to: { name: string; category: string } }>(
    `SELECT kind, field, "from", "to" FROM issue_events WHERE issue_id = $1 AND kind = 'TRANSITIONED'`,
    [issue.id],
  );
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ field: 'status', from: { name: 'To Do', category: 'TODO' }, to: { name: 'In Progress', category: 'IN_PROGRESS' } });
});

test('a state of another project is NOT_FOUND on toStateId', async () => {
  const other = await makeProject(world, 'OTHER');
  const key = keyOf('FLOW', await makeIssue(world, 'FLOW'));
  expect(await refusalOf(() => move(key, other.states[1]!.id))).toMatchObject({ code: 'NOT_FOUND', field: 'toStateId' });
});

test('a stale expectedVersion is CONFLICT and the status stays', async () => {
  const issue = await makeIssue(world, 'FLOW');
  const key = keyOf('FLOW', issue);
  await move(key, progress, 1);
  expect(await refusalOf(() => move(key, review, 1))).toMatchObject({ code: 'CONFLICT', details: { currentVersion: 2 } });
  const [row] = await world.sql(`SELECT status_id FROM issues WHERE id = $1`, [issue.id]);
  expect(row).toEqual({ status_id: progress });
});

test('viewers cannot move issues and archived projects are read-only', async () => {
  await makeProject(world, 'GONE');
  const key = keyOf('GONE', await makeIssue(world, 'GONE'));
  expect(await refusalOf(() => transitionIssue(world.org.actors.VIEWER, key, progress))).toMatchObject({ code: 'FORBIDDEN' });
  await archiveProject(world.org.actors.OWNER, 'GONE');
  const gone = await world.org.db().run((tx) => tx.workflowState.findFirstOrThrow({ where: { project: { key: 'GONE' }, position: 1 } }));
  expect(await refusalOf(() => move(key, gone.id))).toMatchObject({ code: 'BAD_USER_INPUT' });
});
