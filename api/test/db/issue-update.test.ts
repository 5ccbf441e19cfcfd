// Updating issues: one history row per changed field, version +1 per change, stale versions
// refused, and a refused update writes nothing at all.
import type { Issue } from '../../src/generated/prisma/client';
import { toGlobalId } from '../../src/graphql/global-id';
import { updateIssue, type UpdateIssueCommand } from '../../src/modules/issue/issue.service';
import { createLabel } from '../../src/modules/label/label.service';
import { createSprint } from '../../src/modules/sprint/sprint.service';
import { archiveProject } from '../../src/modules/project/project.service';
import { keyOf, makeIssue, makeProject, openServiceWorld, refusalOf, type ServiceWorld } from '../support/service-world';

let world: ServiceWorld;

beforeAll(async () => {
  world = await openServiceWorld('issueupdate');
  await makeProject(world, 'UPD');
});
afterAll(() => world?.close());

const update = (key: string, command: UpdateIssueCommand, expectedVersion?: number | null) =>
  updateIssue(world.org.actors.MEMBER, key, command, expectedVersion);

async function row(issue: Issue): Promise<Record<string, unknown>> {
  const [found] = await world.sql(`SELECT title, description, priority::text, version, assignee_id, parent_id, type::text FROM issues WHERE id = $1`, [issue.id]);
  return found!;
}

async function events(issue: Issue): Promise<{ kind: string; field: string | null; from: unknown; to: unknown }[]> {
  return world.sql(`SELECT kind, field, "from", "to" FROM issue_events WHERE issue_id = $1 AND kind <> 'CREATED' ORDER BY id`, [issue.id]);
}

test('each changed field writes one UPDATED event with from and to, and the version goes up by one', async () => {
  const issue = await makeIssue(world, 'UPD', { title: 'Before', priority: 'LOW' });
  const dueDate = new Date('2031-01-02T03:04:05.000Z');
  const updated = await update(keyOf('UPD', issue), {
    title: 'After',
    description: 'Now described',
    priority: 'LOW',
    assigneeId: world.org.actors.ADMIN.userId,
    storyPoints: 5,
    dueDate,
  });
  expect(updated.version).toBe(2);
  expect(await events(issue)).toEqual([
    { kind: 'UPDATED', field: 'title', from: 'Before', to: 'After' },
    { kind: 'UPDATED', field: 'description', from: null, to: 'Now described' },
    { kind: 'UPDATED', field: 'storyPoints', from: null, to: 5 },
    { kind: 'UPDATED', field: 'dueDate', from: null, to: dueDate.toISOString() },
    { kind: 'UPDATED', field: 'assignee', from: null, to: toGlobalId('User', world.org.actors.ADMIN.userId) },
  ]);
});

test('an update that changes nothing keeps the version and writes no history', async () => {
  const issue = await makeIssue(world, 'UPD', { title: 'Same', priority: 'HIGH' });
  const same = await update(keyOf('UPD', issue), { title: 'Same', priority: 'HIGH', description: null });
  expect(same.version).toBe(1);
  expect(await events(issue)).toEqual([]);
});

test('null unassigns, and labels are replaced with one event naming old and new sets', async () => {
  const a = await createLabel(world.org.actors.ADMIN, 'UPD', 'a', '#000000');
  const b = await createLabel(world.org.actors.ADMIN, 'UPD', 'b', '#FFFFFF');
  const issue = await makeIssue(world, 'UPD', { assigneeId: world.org.actors.MEMBER.userId, labelIds: [a.id] });
  const updated = await update(keyOf('UPD', issue), { assigneeId: null, labelIds: [b.id] });
  expect(updated.assigneeId).toBeNull();
  expect(await world.sql(`SELECT label_id FROM issue_labels WHERE issue_id = $1`, [issue.id])).toEqual([{ label_id: b.id }]);
  expect((await events(issue)).map((e) => [e.field, e.from, e.to])).toEqual([
    ['assignee', toGlobalId('User', world.org.actors.MEMBER.userId), null],
    ['labels', [toGlobalId('Label', a.id)], [toGlobalId('Label', b.id)]],
  ]);
});

test('moving into and out of a sprint is recorded', async () => {
  const sprint = await createSprint(world.org.actors.ADMIN, { projectKey: 'UPD', name: 'S1' });
  const issue = await makeIssue(world, 'UPD');
  await update(keyOf('UPD', issue), { sprintId: sprint.id });
  const out = await update(keyOf('UPD', issue), { sprintId: null });
  expect(out.version).toBe(3);
  expect((await events(issue)).map((e) => [e.field, e.from, e.to])).toEqual([
    ['sprint', null, toGlobalId('Sprint', sprint.id)],
    ['sprint', toGlobalId('Sprint', sprint.id), null],
  ]);
});

test('a stale expectedVersion is CONFLICT with the current version, and nothing is written', async () => {
  const issue = await makeIssue(world, 'UPD', { title: 'Original' });
  await update(keyOf('UPD', issue), { title: 'Second' }, 1);
  const refusal = await refusalOf(() => update(keyOf('UPD', issue), { title: 'Third' }, 1));
  expect(refusal).toMatchObject({ code: 'CONFLICT', details: { currentVersion: 2 } });
  expect(await row(issue)).toMatchObject({ title: 'Second', version: 2 });
  expect(await events(issue)).toHaveLength(1);
});

test('of two concurrent updates naming the same version exactly one wins', async () => {
  const issue = await makeIssue(world, 'UPD', { title: 'Raced' });
  const results = await Promise.allSettled([update(keyOf('UPD', issue), { title: 'Left' }, 1), update(keyOf('UPD', issue), { title: 'Right' }, 1)]);
  const won = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<Issue>[];
  const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
  expect(won).toHaveLength(1);
  expect(lost).toHaveLength(1);
  expect(lost[0]!.reason).toMatchObject({ code: 'CONFLICT', details: { currentVersion: 2 } });
  expect(await row(issue)).toMatchObject({ title: won[0]!.value.title, version: 2 });
  expect(await events(issue)).toHaveLength(1);
});

test('concurrent updates without expectedVersion are serialized: every change counts', async () => {
  const issue = await makeIssue(world, 'UPD');
  await Promise.all(Array.from({ length: 10 }, (_, i) => update(keyOf('UPD', issue), { title: `Title ${i}` })));
  expect((await row(issue)).version).toBe(11);
  expect(await events(issue)).toHaveLength(10);
});

test('one invalid field refuses the whole update', async () => {
  const issue = await makeIssue(world, 'UPD', { title: 'Untouched' });
  for (const [command, field] of [
    [{ title: 'Fine', description: 'x'.repeat(100_001) }, 'description'],
    [{ title: 'Fine', storyPoints: 10_000 }, 'storyPoints'],
    [{ title: 'Fine', dueDate: new Date('1800-01-01') }, 'dueDate'],
    [{ title: '' }, 'title'],
    [{ title: null }, 'title'],
    [{ priority: 'URGENT', labelIds: ['00000000-0000-7000-8000-000000000001'] }, 'labelIds'],
  ] as [UpdateIssueCommand, string][]) {
    expect((await refusalOf(() => update(keyOf('UPD', issue), command))).field).toBe(field);
  }
  expect(await row(issue)).toMatchObject({ title: 'Untouched', version: 1, priority: 'NONE' });
  expect(await events(issue)).toEqual([]);
});

test('type and parent changes keep the hierarchy valid', async () => {
  const epic = await makeIssue(world, 'UPD', { type: 'EPIC' });
  const story = await makeIssue(world, 'UPD', { type: 'STORY' });
  const subtask = await makeIssue(world, 'UPD', { type: 'SUBTASK', parentKey: keyOf('UPD', story) });
  const moved = await update(keyOf('UPD', story), { parentKey: keyOf('UPD', epic) });
  expect(moved.parentId).toBe(epic.id);
  expect((await events(story)).map((e) => [e.field, e.from, e.to])).toEqual([['parent', null, toGlobalId('Issue', epic.id)]]);
  expect(await refusalOf(() => update(keyOf('UPD', story), { type: 'EPIC' }))).toMatchObject({ field: 'parentKey' });
  expect(await refusalOf(() => update(keyOf('UPD', epic), { type: 'TASK' }))).toMatchObject({ field: 'type' });
  expect(await refusalOf(() => update(keyOf('UPD', subtask), { parentKey: null }))).toMatchObject({ field: 'parentKey' });
  expect(await refusalOf(() => update(keyOf('UPD', epic), { parentKey: keyOf('UPD', epic) }))).toMatchObject({ field: 'parentKey' });
  const bug = await update(keyOf('UPD', story), { type: 'BUG' });
  expect(bug).toMatchObject({ type: 'BUG', parentId: epic.id, version: 3 });
  const detached = await update(keyOf('UPD', story), { parentKey: null });
  expect(detached.parentId).toBeNull();
});

test('updates of an archived project are refused and an unknown key is NOT_FOUND', async () => {
  await makeProject(world, 'ARCU');
  const issue = await makeIssue(world, 'ARCU');
  await archiveProject(world.org.actors.OWNER, 'ARCU');
  expect(await refusalOf(() => update(keyOf('ARCU', issue), { title: 'x' }))).toMatchObject({ code: 'BAD_USER_INPUT' });
  expect(await refusalOf(() => update('UPD-9999', { title: 'x' }))).toMatchObject({ code: 'NOT_FOUND', field: 'key' });
  expect(await refusalOf(() => updateIssue(world.org.actors.VIEWER, 'UPD-1', { title: 'x' }))).toMatchObject({ code: 'FORBIDDEN' });
});
