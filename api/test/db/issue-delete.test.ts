// Soft deletes: a deleted issue disappears everywhere, its number is never handed out again,
// subtasks go with it and an epic's children stay, detached.
import { createLoaders } from '../../src/graphql/request-loaders';
import { deleteIssue } from '../../src/modules/issue/issue.service';
import { findIssueByKey } from '../../src/modules/issue/issue-lookup';
import { listIssues } from '../../src/modules/issue/issue-list';
import { linkIssues } from '../../src/modules/link/link.service';
import { addComment } from '../../src/modules/comment/comment.service';
import { keyOf, makeIssue, makeProject, openServiceWorld, refusalOf, type ProjectWithStates, type ServiceWorld } from '../support/service-world';
import { pageRequest } from '../../src/graphql/pagination';
import { issueLoaders } from '../../src/modules/issue/issue.loaders';
import { linkLoaders } from '../../src/modules/link/link.loaders';

let world: ServiceWorld;
let project: ProjectWithStates;

beforeAll(async () => {
  world = await openServiceWorld('issuedelete');
  project = await makeProject(world, 'DEL');
});
afterAll(() => world?.close());

const remove = (key: string) => deleteIssue(world.org.actors.MEMBER, key);

test('a deleted issue is gone from lookups, lists, children, parents and links', async () => {
  const epic = await makeIssue(world, 'DEL', { type: 'EPIC' });
  const story = await makeIssue(world, 'DEL', { type: 'STORY', parentKey: keyOf('DEL', epic) });
  const other = await makeIssue(world, 'DEL');
  await linkIssues(world.org.actors.MEMBER, keyOf('DEL', other), keyOf('DEL', story), 'BLOCKS');
  expect(await remove(keyOf('DEL', story))).toBe(true);

  expect(await refusalOf(() => world.org.db().run((tx) => findIssueByKey(tx, world.org.id, keyOf('DEL', story))))).toMatchObject({ code: 'NOT_FOUND' });
  const list = await listIssues(world.org.db(), { projectId: project.id }, null, null, pageRequest({ first: 100 }));
  expect(list.edges.map((e) => e.node.id)).not.toContain(story.id);
  expect(await list.totalCount).toBe(list.edges.length);
  const loaders = createLoaders(world.org.db());
  expect(await loaders(issueLoaders).childrenByIssue.load(epic.id)).toEqual([]);
  expect(await loaders(issueLoaders).issue.load(story.id)).toBeNull();
  expect(await loaders(linkLoaders).linksByIssue.load(other.id)).toEqual([]);
  const [row] = await world.sql(`SELECT deleted_at IS NOT NULL AS deleted, version FROM issues WHERE id = $1`, [story.id]);
  expect(row).toEqual({ deleted: true, version: 2 });
});

test('deleting a parent deletes its subtasks and detaches an epic\'s children, with history', async () => {
  const epic = await makeIssue(world, 'DEL', { type: 'EPIC' });
  const task = await makeIssue(world, 'DEL', { type: 'TASK', parentKey: keyOf('DEL', epic) });
  const subtask = await makeIssue(world, 'DEL', { type: 'SUBTASK', parentKey: keyOf('DEL', task) });
  await remove(keyOf('DEL', task));
  const rows = await world.sql(`SELECT id, deleted_at IS NOT NULL AS deleted, parent_id FROM issues WHERE id = ANY($1::uuid[]) ORDER BY number`, [[epic.id, task.id, subtask.id]]);
  expect(rows).toEqual([
    { id: epic.id, deleted: false, parent_id: null },
    { id: task.id, deleted: true, parent_id: epic.id },
    { id: subtask.id, deleted: true, parent_id: task.id },
  ]);
  const story = await makeIssue(world, 'DEL', { type: 'STORY', parentKey: keyOf('DEL', epic) });
  await remove(keyOf('DEL', epic));
  const [detached] = await world.sql(`SELECT parent_id, deleted_at, version FROM issues WHERE id = $1`, [story.id]);
  expect(detached).toEqual({ parent_id: null, deleted_at: null, version: 2 });
  const events = await world.sql(`SELECT kind, field FROM issue_events WHERE issue_id = ANY($1::uuid[]) AND kind <> 'CREATED' ORDER BY id`, [[story.id, subtask.id]]);
  expect(events).toEqual([
    { kind: 'DELETED', field: null },
    { kind: 'UPDATED', field: 'parent' },
  ]);
});

test('a deleted key is never handed out again and a second delete is NOT_FOUND', async () => {
  await makeProject(world, 'REUSE');
  await makeIssue(world, 'REUSE');
  const last = await makeIssue(world, 'REUSE');
  await remove(keyOf('REUSE', last));
  expect((await makeIssue(world, 'REUSE')).number).toBe(3);
  expect(await refusalOf(() => remove('REUSE-2'))).toMatchObject({ code: 'NOT_FOUND', field: 'key' });
});

test('a deleted issue takes no comments, links or children', async () => {
  const gone = await makeIssue(world, 'DEL', { type: 'STORY' });
  const live = await makeIssue(world, 'DEL');
  await remove(keyOf('DEL', gone));
  expect(await refusalOf(() => addComment(world.org.actors.MEMBER, keyOf('DEL', gone), 'hi'))).toMatchObject({ code: 'NOT_FOUND' });
  expect(await refusalOf(() => linkIssues(world.org.actors.MEMBER, keyOf('DEL', live), keyOf('DEL', gone), 'RELATES_TO'))).toMatchObject({ code: 'NOT_FOUND', field: 'toKey' });
  expect(await refusalOf(() => makeIssue(world, 'DEL', { type: 'SUBTASK', parentKey: keyOf('DEL', gone) }))).toMatchObject({ code: 'NOT_FOUND', field: 'parentKey' });
});

test('a VIEWER may not delete', async () => {
  const issue = await makeIssue(world, 'DEL');
  expect(await refusalOf(() => deleteIssue(world.org.actors.VIEWER, keyOf('DEL', issue)))).toMatchObject({ code: 'FORBIDDEN' });
});
