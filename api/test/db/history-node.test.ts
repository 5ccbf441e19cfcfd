// History reads newest first and pages; node(id) finds each Node type in the caller's
// organization only.
import type { Tenant } from '../../src/graphql/context';
import { createLoaders } from '../../src/graphql/request-loaders';
import { listHistory } from '../../src/modules/history/history.service';
import { addComment } from '../../src/modules/comment/comment.service';
import { deleteIssue, updateIssue } from '../../src/modules/issue/issue.service';
import { transitionIssue } from '../../src/modules/issue/issue-transition.service';
import { findNode } from '../../src/modules/node/node.service';
import { createSprint } from '../../src/modules/sprint/sprint.service';
import { keyOf, makeIssue, makeProject, openServiceWorld, type ProjectWithStates, type ServiceOrg, type ServiceWorld } from '../support/service-world';
import { pageRequest } from '../../src/graphql/pagination';

let world: ServiceWorld;
let project: ProjectWithStates;

beforeAll(async () => {
  world = await openServiceWorld('history');
  project = await makeProject(world, 'HIS');
});
afterAll(() => world?.close());

function tenantOf(org: ServiceOrg): Tenant {
  return { ...org.actors.OWNER, loaders: createLoaders(org.actors.OWNER.db) };
}

test('history lists every change newest first, with its actor, and pages without gaps', async () => {
  const issue = await makeIssue(world, 'HIS');
  const key = keyOf('HIS', issue);
  await updateIssue(world.org.actors.MEMBER, key, { title: 'Renamed', priority: 'HIGH' });
  await transitionIssue(world.org.actors.ADMIN, key, project.states[1]!.id);
  await addComment(world.org.actors.MEMBER, key, 'A comment');
  const all = await listHistory(world.org.db(), issue.id, pageRequest({ first: 100 }));
  expect(all.edges.map((e) => [e.node.kind, e.node.field])).toEqual([
    ['COMMENTED', null],
    ['TRANSITIONED', 'status'],
    ['UPDATED', 'priority'],
    ['UPDATED', 'title'],
    ['CREATED', null],
  ]);
  expect(all.edges[1]!.node.actorId).toBe(world.org.actors.ADMIN.userId);
  expect(await all.totalCount).toBe(5);
  const seen: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await listHistory(world.org.db(), issue.id, pageRequest({ first: 2, after: after }));
    seen.push(...page.edges.map((e) => e.node.id.toString()));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  expect(seen).toEqual(all.edges.map((e) => e.node.id.toString()));
});

test('a change and its history commit together: a refused change leaves no event', async () => {
  const issue = await makeIssue(world, 'HIS');
  await updateIssue(world.org.actors.MEMBER, keyOf('HIS', issue), { title: 'ok' }).catch(() => undefined);
  await updateIssue(world.org.actors.MEMBER, keyOf('HIS', issue), { title: 'late', labelIds: ['00000000-0000-7000-8000-0000000000ff'] }).catch(() => undefined);
  const [{ count }] = await world.sql<{ count: number }>(`SELECT count(*)::int AS count FROM issue_events WHERE issue_id = $1`, [issue.id]);
  expect(count).toBe(2);
});

test('node finds each Node type of the organization by row id', async () => {
  const tenant = tenantOf(world.org);
  const issue = await makeIssue(world, 'HIS');
  const comment = await addComment(world.org.actors.MEMBER, keyOf('HIS', issue), 'node me');
  const sprint = await createSprint(world.org.actors.ADMIN, { projectKey: 'HIS', name: 'Node sprint' });
  const found = await Promise.all([
    findNode(tenant, 'Issue', issue.id),
    findNode(tenant, 'Project', project.id),
    findNode(tenant, 'Sprint', sprint.id),
    findNode(tenant, 'Comment', comment.id),
    findNode(tenant, 'Organization', world.org.id),
    findNode(tenant, 'User', world.org.actors.VIEWER.userId),
  ]);
  expect(found.map((n) => n?.__typename)).toEqual(['Issue', 'Project', 'Sprint', 'Comment', 'Organization', 'User']);
  expect(found.map((n) => (n as unknown as { id: string }).id)).toEqual([issue.id, project.id, sprint.id, comment.id, world.org.id, world.org.actors.VIEWER.userId]);
});

test('node is null for another organization\'s records, deleted issues, unknown ids and types without node', async () => {
  const other = await world.newOrg('node-other');
  const theirs = tenantOf(other);
  const issue = await makeIssue(world, 'HIS');
  const comment = await addComment(world.org.actors.MEMBER, keyOf('HIS', issue), 'hidden');
  for (const [type, id] of [
    ['Issue', issue.id],
    ['Project', project.id],
    ['Comment', comment.id],
    ['Organization', world.org.id],
    ['User', world.org.actors.MEMBER.userId],
    ['WorkflowState', project.states[0]!.id],
  ] as const) {
    expect(await findNode(theirs, type, id)).toBeNull();
  }
  const mine = tenantOf(world.org);
  expect(await findNode(mine, 'Issue', '00000000-0000-7000-8000-000000000000')).toBeNull();
  expect(await findNode(mine, 'WorkflowState', project.states[0]!.id)).toMatchObject({ __typename: 'WorkflowState', id: project.states[0]!.id });
  expect(await findNode(mine, 'Nonsense', issue.id)).toBeNull();
  await deleteIssue(world.org.actors.MEMBER, keyOf('HIS', issue));
  expect(await findNode(tenantOf(world.org), 'Issue', issue.id)).toBeNull();
  expect(await findNode(tenantOf(world.org), 'Comment', comment.id)).toBeNull();
});
