// Creating issues: gap-free numbers, defaults, validation and references, all or nothing.
import { createIssue } from '../../src/modules/issue/issue.service';
import { createLabel } from '../../src/modules/label/label.service';
import { completeSprint, createSprint, startSprint } from '../../src/modules/sprint/sprint.service';
import { deleteIssue } from '../../src/modules/issue/issue.service';
import { keyOf, makeIssue, makeProject, openServiceWorld, refusalOf, type ProjectWithStates, type ServiceWorld } from '../support/service-world';

let world: ServiceWorld;
let project: ProjectWithStates;

beforeAll(async () => {
  world = await openServiceWorld('issuecreate');
  project = await makeProject(world, 'CRE');
});
afterAll(() => world?.close());

async function countIssues(where = 'TRUE'): Promise<number> {
  const [{ count }] = await world.sql<{ count: number }>(`SELECT count(*)::int AS count FROM issues WHERE project_id = $1 AND ${where}`, [project.id]);
  return count;
}

test('a new issue starts in the first state, reported by its creator, with defaults and version 1', async () => {
  const issue = await makeIssue(world, 'CRE', { title: '  Padded title  ' });
  expect(issue).toMatchObject({
    number: 1,
    title: 'Padded title',
    type: 'TASK',
    priority: 'NONE',
    statusId: project.states[0]!.id,
    reporterId: world.org.actors.MEMBER.userId,
    version: 1,
    assigneeId: null,
    deletedAt: null,
  });
  const events = await world.sql(`SELECT kind, field, "to" FROM issue_events WHERE issue_id = $1`, [issue.id]);
  expect(events).toEqual([{ kind: 'CREATED', field: null, to: { key: 'CRE-1', title: 'Padded title', type: 'TASK' } }]);
});

test('numbers count up per project and are never reused after a delete', async () => {
  await makeProject(world, 'NUM');
  const a = await makeIssue(world, 'NUM');
  const b = await makeIssue(world, 'NUM');
  await deleteIssue(world.org.actors.MEMBER, keyOf('NUM', b));
  const c = await makeIssue(world, 'NUM');
  expect([a.number, b.number, c.number]).toEqual([1, 2, 3]);
});

test('sixty concurrent creates in one project get exactly the numbers 1 to 60', async () => {
  await makeProject(world, 'RACE');
  const issues = await Promise.all(Array.from({ length: 60 }, (_, i) => makeIssue(world, 'RACE', { title: `Race ${i}` })));
  expect(issues.map((i) => i.number).sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
});

test('a refused create gives its number back, so the sequence stays gap-free', async () => {
  await makeProject(world, 'GAP');
  await makeIssue(world, 'GAP');
  await refusalOf(() => makeIssue(world, 'GAP', { labelIds: ['00000000-0000-7000-8000-000000000000'] }));
  expect((await makeIssue(world, 'GAP')).number).toBe(2);
});

test('new issues go to the bottom of the board', async () => {
  await makeProject(world, 'BOT');
  const ranks = [];
  for (let i = 0; i < 5; i++) ranks.push((await makeIssue(world, 'BOT')).rank);
  expect([...ranks].sort()).toEqual(ranks);
  expect(new Set(ranks).size).toBe(5);
});

test('title, description, story points and due date are validated before anything is written', async () => {
  const before = await countIssues();
  const cases: [Record<string, unknown>, string][] = [
    [{ title: '' }, 'title'],
    [{ title: '   ' }, 'title'],
    [{ title: 'x'.repeat(256) }, 'title'],
    [{ description: 'x'.repeat(100_001) }, 'description'],
    [{ storyPoints: -1 }, 'storyPoints'],
    [{ storyPoints: Number.NaN }, 'storyPoints'],
    [{ dueDate: new Date('1900-01-01') }, 'dueDate'],
    [{ dueDate: new Date('3000-01-01') }, 'dueDate'],
    [{ dueDate: new Date('nonsense') }, 'dueDate'],
  ];
  for (const [input, field] of cases) {
    expect(await refusalOf(() => makeIssue(world, 'CRE', input))).toMatchObject({ code: 'BAD_USER_INPUT', field });
  }
  expect(await countIssues()).toBe(before);
  await expect(makeIssue(world, 'CRE', { title: 'x'.repeat(255), description: 'y'.repeat(100_000) })).resolves.toBeTruthy();
});

test('references outside the project or organization are NOT_FOUND naming the field, and nothing is written', async () => {
  const other = await makeProject(world, 'OTH');
  const foreignLabel = await createLabel(world.org.actors.ADMIN, 'OTH', 'elsewhere', '#112233');
  const stranger = (await world.newOrg('create-stranger')).actors.OWNER.userId;
  const before = await countIssues();
  expect(await refusalOf(() => makeIssue(world, 'CRE', { labelIds: [foreignLabel.id] }))).toMatchObject({ code: 'NOT_FOUND', field: 'labelIds' });
  expect(await refusalOf(() => makeIssue(world, 'CRE', { assigneeId: stranger }))).toMatchObject({ code: 'NOT_FOUND', field: 'assigneeId' });
  expect(await refusalOf(() => makeIssue(world, 'NOPE'))).toMatchObject({ code: 'NOT_FOUND', field: 'projectKey' });
  const sprint = await createSprint(world.org.actors.ADMIN, { projectKey: 'OTH', name: 'Other sprint' });
  expect(await refusalOf(() => makeIssue(world, 'CRE', { sprintId: sprint.id }))).toMatchObject({ code: 'NOT_FOUND', field: 'sprintId' });
  expect(await countIssues()).toBe(before);
  const [{ gapFree }] = await world.sql<{ gapFree: boolean }>(
    `SELECT issue_seq = (SELECT max(number) FROM issues WHERE project_id = p.id) AS "gapFree" FROM projects p WHERE p.id = $1`,
    [project.id],
  );
  expect(gapFree).toBe(true);
  expect(other.key).toBe('OTH');
});

test('a closed sprint cannot take new issues', async () => {
  const sprint = await createSprint(world.org.actors.ADMIN, { projectKey: 'CRE', name: 'Closed one' });
  await startSprint(world.org.actors.ADMIN, sprint.id);
  await completeSprint(world.org.actors.ADMIN, sprint.id, null);
  expect(await refusalOf(() => makeIssue(world, 'CRE', { sprintId: sprint.id }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'sprintId' });
});

test('labels, assignee, sprint, points and due date are stored as given', async () => {
  const label = await createLabel(world.org.actors.ADMIN, 'CRE', 'backend', '#a1b2c3');
  const sprint = await createSprint(world.org.actors.ADMIN, { projectKey: 'CRE', name: 'Next' });
  const dueDate = new Date('2030-05-01T12:00:00.000Z');
  const issue = await makeIssue(world, 'CRE', {
    type: 'BUG',
    priority: 'HIGH',
    assigneeId: world.org.actors.VIEWER.userId,
    labelIds: [label.id, label.id],
    sprintId: sprint.id,
    storyPoints: 3.5,
    dueDate,
  });
  expect(issue).toMatchObject({ type: 'BUG', priority: 'HIGH', assigneeId: world.org.actors.VIEWER.userId, sprintId: sprint.id, storyPoints: 3.5, dueDate });
  expect(await world.sql(`SELECT label_id FROM issue_labels WHERE issue_id = $1`, [issue.id])).toEqual([{ label_id: label.id }]);
});

test('a VIEWER may not create issues', async () => {
  const refusal = await refusalOf(() => createIssue(world.org.actors.VIEWER, { projectKey: 'CRE', title: 'no' }));
  expect(refusal.code).toBe('FORBIDDEN');
});

test('the hierarchy is checked when creating', async () => {
  const epic = await makeIssue(world, 'CRE', { type: 'EPIC' });
  const story = await makeIssue(world, 'CRE', { type: 'STORY', parentKey: keyOf('CRE', epic) });
  expect(story.parentId).toBe(epic.id);
  const subtask = await makeIssue(world, 'CRE', { type: 'SUBTASK', parentKey: keyOf('CRE', story) });
  expect(subtask.parentId).toBe(story.id);
  expect(await refusalOf(() => makeIssue(world, 'CRE', { type: 'SUBTASK' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'parentKey' });
  expect(await refusalOf(() => makeIssue(world, 'CRE', { type: 'SUBTASK', parentKey: keyOf('CRE', subtask) }))).toMatchObject({ field: 'parentKey' });
  expect(await refusalOf(() => makeIssue(world, 'CRE', { type: 'SUBTASK', parentKey: keyOf('CRE', epic) }))).toMatchObject({ field: 'parentKey' });
  expect(await refusalOf(() => makeIssue(world, 'CRE', { type: 'EPIC', parentKey: keyOf('CRE', epic) }))).toMatchObject({ field: 'parentKey' });
  const otherEpic = await makeIssue(world, 'OTH', { type: 'EPIC' });
  expect(await refusalOf(() => makeIssue(world, 'CRE', { type: 'STORY', parentKey: keyOf('OTH', otherEpic) }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'parentKey' });
  expect(await refusalOf(() => makeIssue(world, 'CRE', { type: 'STORY', parentKey: 'CRE-999' }))).toMatchObject({ code: 'NOT_FOUND', field: 'parentKey' });
});
