// Sprints: PLANNED → ACTIVE → CLOSED, one ACTIVE per project, and completing moves the
// unfinished issues on, with history.
import { toGlobalId } from '../../src/graphql/global-id';
import { transitionIssue } from '../../src/modules/issue/issue-transition.service';
import { completeSprint, createSprint, startSprint } from '../../src/modules/sprint/sprint.service';
import { keyOf, makeIssue, makeProject, openServiceWorld, refusalOf, type ProjectWithStates, type ServiceWorld } from '../support/service-world';

let world: ServiceWorld;
let project: ProjectWithStates;

beforeAll(async () => {
  world = await openServiceWorld('sprint');
  project = await makeProject(world, 'SPR');
});
afterAll(() => world?.close());

const admin = () => world.org.actors.ADMIN;
const newSprint = (name: string, projectKey = 'SPR') => createSprint(admin(), { projectKey, name });

async function finish(key: string): Promise<void> {
  for (const state of project.states.slice(1)) await transitionIssue(world.org.actors.MEMBER, key, state.id);
}

test('a sprint is created PLANNED, starts ACTIVE with a start date and closes with an end date', async () => {
  const sprint = await createSprint(admin(), { projectKey: 'SPR', name: ' Sprint 1 ', goal: 'Ship it' });
  expect(sprint).toMatchObject({ name: 'Sprint 1', goal: 'Ship it', state: 'PLANNED', startDate: null, endDate: null });
  const started = await startSprint(admin(), sprint.id);
  expect(started.state).toBe('ACTIVE');
  expect(started.startDate).toBeInstanceOf(Date);
  const closed = await completeSprint(admin(), sprint.id, null);
  expect(closed.state).toBe('CLOSED');
  expect(closed.endDate).toBeInstanceOf(Date);
});

test('only one sprint per project can be ACTIVE, even when two start at once', async () => {
  await makeProject(world, 'ONE');
  const [a, b] = [await newSprint('A', 'ONE'), await newSprint('B', 'ONE')];
  const results = await Promise.allSettled([startSprint(admin(), a.id), startSprint(admin(), b.id)]);
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT' });
  const [{ count }] = await world.sql<{ count: number }>(`SELECT count(*)::int AS count FROM sprints WHERE project_id = (SELECT id FROM projects WHERE key = 'ONE') AND state = 'ACTIVE'`);
  expect(count).toBe(1);
});

test('completing moves unfinished issues to the named sprint with one history row each; done issues stay', async () => {
  const current = await newSprint('Current');
  const next = await newSprint('Next');
  const open = await makeIssue(world, 'SPR', { sprintId: current.id });
  const doneIssue = await makeIssue(world, 'SPR', { sprintId: current.id });
  await finish(keyOf('SPR', doneIssue));
  await startSprint(admin(), current.id);
  await completeSprint(admin(), current.id, next.id);
  const rows = await world.sql(`SELECT id, sprint_id, version FROM issues WHERE id = ANY($1::uuid[]) ORDER BY number`, [[open.id, doneIssue.id]]);
  expect(rows).toEqual([
    { id: open.id, sprint_id: next.id, version: 2 },
    { id: doneIssue.id, sprint_id: current.id, version: 4 },
  ]);
  const events = await world.sql(`SELECT issue_id, field, "from", "to" FROM issue_events WHERE kind = 'UPDATED' AND field = 'sprint' AND issue_id = ANY($1::uuid[])`, [[open.id, doneIssue.id]]);
  expect(events).toEqual([{ issue_id: open.id, field: 'sprint', from: toGlobalId('Sprint', current.id), to: toGlobalId('Sprint', next.id) }]);
});

test('completing without a target sends unfinished issues to the backlog', async () => {
  const sprint = await newSprint('To backlog');
  const issue = await makeIssue(world, 'SPR', { sprintId: sprint.id });
  await startSprint(admin(), sprint.id);
  await completeSprint(admin(), sprint.id, null);
  const [row] = await world.sql(`SELECT sprint_id FROM issues WHERE id = $1`, [issue.id]);
  expect(row).toEqual({ sprint_id: null });
  const [event] = await world.sql(`SELECT "from", "to" FROM issue_events WHERE issue_id = $1 AND field = 'sprint'`, [issue.id]);
  expect(event).toEqual({ from: toGlobalId('Sprint', sprint.id), to: null });
});

test('state rules: only PLANNED starts, only ACTIVE completes, never into itself or a closed or foreign sprint', async () => {
  const sprint = await newSprint('Rules');
  expect(await refusalOf(() => completeSprint(admin(), sprint.id, null))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  await startSprint(admin(), sprint.id);
  expect(await refusalOf(() => startSprint(admin(), sprint.id))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  expect(await refusalOf(() => completeSprint(admin(), sprint.id, sprint.id))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'moveOpenIssuesToSprintId' });
  const closed = await newSprint('Closed');
  await completeSprint(admin(), sprint.id, null);
  await startSprint(admin(), closed.id);
  const another = await newSprint('Another');
  await completeSprint(admin(), closed.id, null);
  await startSprint(admin(), another.id);
  expect(await refusalOf(() => completeSprint(admin(), another.id, closed.id))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'moveOpenIssuesToSprintId' });
  await makeProject(world, 'FOR');
  const foreign = await newSprint('Foreign', 'FOR');
  expect(await refusalOf(() => completeSprint(admin(), another.id, foreign.id))).toMatchObject({ code: 'NOT_FOUND', field: 'moveOpenIssuesToSprintId' });
  const [row] = await world.sql(`SELECT state::text FROM sprints WHERE id = $1`, [another.id]);
  expect(row).toEqual({ state: 'ACTIVE' });
  await completeSprint(admin(), another.id, null);
});

test('names, goals and dates are validated; members cannot manage sprints', async () => {
  const bad = [
    [{ name: '' }, 'name'],
    [{ name: 'x'.repeat(101) }, 'name'],
    [{ name: 'ok', goal: 'g'.repeat(1001) }, 'goal'],
    [{ name: 'ok', startDate: new Date('2030-01-02'), endDate: new Date('2030-01-01') }, 'endDate'],
    [{ name: 'ok', startDate: new Date('1960-01-01') }, 'startDate'],
  ] as const;
  for (const [input, field] of bad) {
    expect(await refusalOf(() => createSprint(admin(), { projectKey: 'SPR', ...input }))).toMatchObject({ code: 'BAD_USER_INPUT', field });
  }
  expect(await refusalOf(() => createSprint(world.org.actors.MEMBER, { projectKey: 'SPR', name: 'x' }))).toMatchObject({ code: 'FORBIDDEN' });
  expect(await refusalOf(() => createSprint(admin(), { projectKey: 'NOPE', name: 'x' }))).toMatchObject({ code: 'NOT_FOUND' });
  const [{ count }] = await world.sql<{ count: number }>(`SELECT count(*)::int AS count FROM sprints WHERE name = 'ok'`);
  expect(count).toBe(0);
});

test('a sprint of another organization is NOT_FOUND', async () => {
  const other = await world.newOrg('sprint-other');
  const sprint = await newSprint('Mine');
  expect(await refusalOf(() => startSprint(other.actors.OWNER, sprint.id))).toMatchObject({ code: 'NOT_FOUND' });
});
