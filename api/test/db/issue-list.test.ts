// Listing issues: every IssueFilter field, alone and combined (AND), full-text search ranked
// by relevance, and lists that reflect the writes made just before.
import type { Issue } from '../../src/generated/prisma/client';
import { createIssue, updateIssue } from '../../src/modules/issue/issue.service';
import { listIssues, type IssueListFilter } from '../../src/modules/issue/issue-list';
import { transitionIssue } from '../../src/modules/issue/issue-transition.service';
import { createLabel } from '../../src/modules/label/label.service';
import { createSprint } from '../../src/modules/sprint/sprint.service';
import { keyOf, makeIssue, makeProject, openServiceWorld, type ProjectWithStates, type ServiceWorld } from '../support/service-world';
import { pageRequest } from '../../src/graphql/pagination';

let world: ServiceWorld;
let project: ProjectWithStates;
interface Model {
  issue: Issue;
  labels: string[];
  category: string;
  day: number;
}
const model: Model[] = [];
let l1: string, l2: string, sprintId: string, epic: Issue;

const TYPES = ['TASK', 'BUG', 'STORY'] as const;
const PRIORITIES = ['NONE', 'LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const;
const TITLES = ['Payment gateway timeout', 'Login form crash', 'Routine chore'];

beforeAll(async () => {
  world = await openServiceWorld('issuelist');
  project = await makeProject(world, 'LST');
  l1 = (await createLabel(world.org.actors.ADMIN, 'LST', 'one', '#111111')).id;
  l2 = (await createLabel(world.org.actors.ADMIN, 'LST', 'two', '#222222')).id;
  sprintId = (await createSprint(world.org.actors.ADMIN, { projectKey: 'LST', name: 'S' })).id;
  const { MEMBER, ADMIN, OWNER } = world.org.actors;
  epic = await makeIssue(world, 'LST', { type: 'EPIC', title: 'Big epic' });
  model.push({ issue: epic, labels: [], category: 'TODO', day: 0 });
  for (let i = 1; i <= 24; i++) {
    const labels = [[l1], [l2], [l1, l2], []][i % 4]!;
    const reporter = i % 2 === 0 ? MEMBER : OWNER;
    const issue = await createIssue(reporter, {
      projectKey: 'LST',
      title: `${TITLES[i % 3]} ${i}`,
      description: i % 7 === 0 ? 'The payment provider rejects requests' : null,
      type: TYPES[i % 3],
      priority: PRIORITIES[i % 5],
      assigneeId: [null, MEMBER.userId, ADMIN.userId][i % 3],
      labelIds: labels,
      sprintId: i % 3 === 0 ? sprintId : null,
      parentKey: i % 6 === 1 ? keyOf('LST', epic) : null,
    });
    let category = 'TODO';
    if (i % 4 === 1) {
      await transitionIssue(MEMBER, keyOf('LST', issue), project.states[1]!.id);
      category = 'IN_PROGRESS';
    }
    model.push({ issue, labels, category, day: i });
  }
  // Known creation and update times, one day apart, for the date filters.
  await world.sql(`UPDATE issues SET created_at = TIMESTAMPTZ '2030-01-01' + number * INTERVAL '1 day', updated_at = TIMESTAMPTZ '2030-06-01' + number * INTERVAL '1 day' WHERE project_id = $1`, [project.id]);
});
afterAll(() => world?.close());

async function numbers(filter: IssueListFilter): Promise<number[]> {
  const page = await listIssues(world.org.db(), { projectId: project.id }, filter, { field: 'NUMBER', direction: 'ASC' }, pageRequest({ first: 100 }));
  expect(await page.totalCount).toBe(page.edges.length);
  return page.edges.map((e) => e.node.number);
}

function expected(predicate: (m: Model) => boolean): number[] {
  return model.filter(predicate).map((m) => m.issue.number).sort((a, b) => a - b);
}

test('each filter field narrows the list to exactly the matching issues', async () => {
  const { MEMBER, ADMIN, OWNER } = world.org.actors;
  const cases: [IssueListFilter, (m: Model) => boolean][] = [
    [{ statusIds: [project.states[1]!.id] }, (m) => m.category === 'IN_PROGRESS'],
    [{ statusCategories: ['TODO'] }, (m) => m.category === 'TODO'],
    [{ statusCategories: ['IN_PROGRESS', 'DONE'] }, (m) => m.category !== 'TODO'],
    [{ assigneeIds: [MEMBER.userId] }, (m) => m.issue.assigneeId === MEMBER.userId],
    [{ assigneeIds: [MEMBER.userId, ADMIN.userId] }, (m) => m.issue.assigneeId !== null],
    [{ unassigned: true }, (m) => m.issue.assigneeId === null],
    [{ unassigned: false }, (m) => m.issue.assigneeId !== null],
    [{ reporterIds: [OWNER.userId] }, (m) => m.issue.reporterId === OWNER.userId],
    [{ types: ['BUG', 'EPIC'] }, (m) => ['BUG', 'EPIC'].includes(m.issue.type)],
    [{ priorities: ['HIGH'] }, (m) => m.issue.priority === 'HIGH'],
    [{ labelIds: [l1] }, (m) => m.labels.includes(l1)],
    [{ labelIds: [l1, l2] }, (m) => m.labels.length > 0],
    [{ sprintId }, (m) => m.issue.sprintId === sprintId],
    [{ parentKey: keyOf('LST', epic) }, (m) => m.issue.parentId === epic.id],
    [{ parentKey: 'LST-999' }, () => false],
    [{ parentKey: 'not a key' }, () => false],
    [{ text: 'payment' }, (m) => /Payment/.test(m.issue.title) || m.issue.description !== null],
    [{ text: 'crashes' }, (m) => /crash/.test(m.issue.title)],
    [{ createdAfter: new Date('2030-01-10T00:00:00Z') }, (m) => m.issue.number > 9],
    [{ createdBefore: new Date('2030-01-05T00:00:00Z') }, (m) => m.issue.number < 4],
    [{ updatedAfter: new Date('2030-06-20T00:00:00Z') }, (m) => m.issue.number > 19],
    [{}, () => true],
  ];
  for (const [filter, predicate] of cases) {
    expect({ filter, got: await numbers(filter) }).toEqual({ filter, got: expected(predicate) });
  }
});

test('filters combine with AND', async () => {
  const { MEMBER } = world.org.actors;
  const filter: IssueListFilter = {
    types: ['TASK', 'BUG'],
    priorities: ['NONE', 'LOW', 'MEDIUM'],
    labelIds: [l1],
    unassigned: false,
    statusCategories: ['TODO', 'IN_PROGRESS'],
    createdAfter: new Date('2030-01-02T00:00:00Z'),
  };
  const want = expected(
    (m) => ['TASK', 'BUG'].includes(m.issue.type) && ['NONE', 'LOW', 'MEDIUM'].includes(m.issue.priority) && m.labels.includes(l1) && m.issue.assigneeId !== null && m.issue.number > 1,
  );
  expect(want.length).toBeGreaterThan(0);
  expect(await numbers(filter)).toEqual(want);
  expect(await numbers({ assigneeIds: [MEMBER.userId], unassigned: true })).toEqual([]);
  expect(await numbers({ text: 'payment', sprintId })).toEqual(expected((m) => m.issue.sprintId === sprintId && (/Payment/.test(m.issue.title) || m.issue.description !== null)));
});

test('text search without an order ranks by relevance, and an explicit order overrides it', async () => {
  await makeProject(world, 'TXT');
  await makeIssue(world, 'TXT', { title: 'Mentions invoice once', description: 'nothing else here' });
  await makeIssue(world, 'TXT', { title: 'Invoice invoice invoice', description: 'the invoice total is wrong on every invoice' });
  await makeIssue(world, 'TXT', { title: 'Unrelated' });
  const txt = await world.org.db().run((tx) => tx.project.findFirstOrThrow({ where: { key: 'TXT' } }));
  const byRelevance = await listIssues(world.org.db(), { projectId: txt.id }, { text: 'invoices' }, null, pageRequest({ first: 50 }));
  expect(byRelevance.edges.map((e) => e.node.number)).toEqual([2, 1]);
  const byNumber = await listIssues(world.org.db(), { projectId: txt.id }, { text: 'invoice' }, { field: 'NUMBER', direction: 'ASC' }, pageRequest({ first: 50 }));
  expect(byNumber.edges.map((e) => e.node.number)).toEqual([1, 2]);
  const paged = await listIssues(world.org.db(), { projectId: txt.id }, { text: 'invoice' }, null, pageRequest({ first: 1 }));
  const next = await listIssues(world.org.db(), { projectId: txt.id }, { text: 'invoice' }, null, pageRequest({ first: 1, after: paged.pageInfo.endCursor }));
  expect([...paged.edges, ...next.edges].map((e) => e.node.number)).toEqual([2, 1]);
  expect(next.pageInfo.hasNextPage).toBe(false);
});

test('search and filters see writes made just before', async () => {
  await makeProject(world, 'NOW');
  const issue = await makeIssue(world, 'NOW', { title: 'Quiet title' });
  const now = await world.org.db().run((tx) => tx.project.findFirstOrThrow({ where: { key: 'NOW' } }));
  const search = (text: string) => listIssues(world.org.db(), { projectId: now.id }, { text }, null, pageRequest({ first: 10 })).then((p) => p.edges.length);
  expect(await search('zebra')).toBe(0);
  await updateIssue(world.org.actors.MEMBER, keyOf('NOW', issue), { title: 'Zebra crossing', priority: 'URGENT' });
  expect(await search('zebra')).toBe(1);
  expect(await search('quiet')).toBe(0);
  const urgent = await listIssues(world.org.db(), { projectId: now.id }, { priorities: ['URGENT'] }, null, pageRequest({ first: 10 }));
  expect(urgent.edges.map((e) => e.node.id)).toEqual([issue.id]);
});

test('the default order is the board rank, and the organization-wide list spans projects', async () => {
  const page = await listIssues(world.org.db(), { projectId: project.id }, null, null, pageRequest({ first: 100 }));
  const ranks = page.edges.map((e) => e.node.rank);
  expect(ranks).toEqual([...ranks].sort());
  const all = await listIssues(world.org.db(), {}, { types: ['EPIC'] }, null, pageRequest({ first: 100 }));
  expect(all.edges.map((e) => e.node.id)).toEqual([epic.id]);
  const other = await world.newOrg('list-other');
  expect(await (await listIssues(other.db(), {}, null, null, pageRequest({ first: 100 }))).totalCount).toBe(0);
});
