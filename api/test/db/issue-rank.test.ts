// Ranking: a move writes only the moved issue, and the board order stays exactly what the
// moves asked for, even after many moves into the same gap.
import { rankIssue } from '../../src/modules/issue/issue-rank.service';
import { listIssues } from '../../src/modules/issue/issue-list';
import { keyOf, makeIssue, makeProject, openServiceWorld, refusalOf, type ServiceWorld } from '../support/service-world';
import { pageRequest } from '../../src/graphql/pagination';

let world: ServiceWorld;

beforeAll(async () => {
  world = await openServiceWorld('issuerank');
});
afterAll(() => world?.close());

const rank = (key: string, afterKey: string | null, beforeKey: string | null) =>
  rankIssue(world.org.actors.MEMBER, key, afterKey, beforeKey);

async function boardOrder(projectKey: string): Promise<string[]> {
  const project = await world.org.db().run((tx) => tx.project.findFirstOrThrow({ where: { key: projectKey } }));
  const keys: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await listIssues(world.org.db(), { projectId: project.id }, null, null, pageRequest({ first: 100, after: after }));
    keys.push(...page.edges.map((e) => keyOf(projectKey, e.node)));
    if (!page.pageInfo.hasNextPage) return keys;
    after = page.pageInfo.endCursor;
  }
}

test('moving an issue changes its rank and version only, and records the move', async () => {
  await makeProject(world, 'ONE');
  const [a, b, c] = [await makeIssue(world, 'ONE'), await makeIssue(world, 'ONE'), await makeIssue(world, 'ONE')];
  const before = await world.sql(`SELECT id, rank, version, updated_at FROM issues WHERE id IN ($1, $2) ORDER BY id`, [a.id, b.id]);
  const moved = await rank('ONE-3', 'ONE-1', 'ONE-2');
  expect(moved.version).toBe(2);
  expect(moved.rank > a.rank && moved.rank < b.rank).toBe(true);
  expect(await world.sql(`SELECT id, rank, version, updated_at FROM issues WHERE id IN ($1, $2) ORDER BY id`, [a.id, b.id])).toEqual(before);
  expect(await boardOrder('ONE')).toEqual(['ONE-1', 'ONE-3', 'ONE-2']);
  const [event] = await world.sql(`SELECT kind, field, "from", "to" FROM issue_events WHERE issue_id = $1 AND kind = 'RANKED'`, [c.id]);
  expect(event).toEqual({ kind: 'RANKED', field: 'rank', from: c.rank, to: moved.rank });
});

test('afterKey alone puts the issue right below it; beforeKey alone right above it', async () => {
  await makeProject(world, 'TWO');
  for (let i = 0; i < 4; i++) await makeIssue(world, 'TWO');
  await rank('TWO-1', 'TWO-3', null);
  expect(await boardOrder('TWO')).toEqual(['TWO-2', 'TWO-3', 'TWO-1', 'TWO-4']);
  await rank('TWO-4', null, 'TWO-2');
  expect(await boardOrder('TWO')).toEqual(['TWO-4', 'TWO-2', 'TWO-3', 'TWO-1']);
  await rank('TWO-2', 'TWO-1', null);
  expect(await boardOrder('TWO')).toEqual(['TWO-4', 'TWO-3', 'TWO-1', 'TWO-2']);
});

test('two hundred moves between the same two neighbours keep the order exact', async () => {
  await makeProject(world, 'GAP');
  const top = await makeIssue(world, 'GAP', { title: 'top' });
  const bottom = await makeIssue(world, 'GAP', { title: 'bottom' });
  const movers = [];
  for (let i = 0; i < 20; i++) movers.push(await makeIssue(world, 'GAP'));
  // Each move puts a mover right below `top`, so the latest move is always first under it.
  const expected: string[] = [];
  for (let i = 0; i < 200; i++) {
    const mover = keyOf('GAP', movers[i % movers.length]!);
    await rank(mover, keyOf('GAP', top), keyOf('GAP', bottom));
    if (expected.includes(mover)) expected.splice(expected.indexOf(mover), 1);
    expected.unshift(mover);
  }
  expect(await boardOrder('GAP')).toEqual([keyOf('GAP', top), ...expected, keyOf('GAP', bottom)]);
  const ranks = await world.sql<{ rank: string }>(`SELECT rank FROM issues WHERE project_id = $1 ORDER BY rank`, [top.projectId]);
  expect(new Set(ranks.map((r) => r.rank)).size).toBe(ranks.length);
  expect(Math.max(...ranks.map((r) => r.rank.length))).toBeLessThan(64);
});

test('alternating moves into one gap from both sides keep the order exact', async () => {
  await makeProject(world, 'ALT');
  const left = await makeIssue(world, 'ALT');
  const right = await makeIssue(world, 'ALT');
  const order = [keyOf('ALT', left), keyOf('ALT', right)];
  for (let i = 0; i < 30; i++) {
    const issue = keyOf('ALT', await makeIssue(world, 'ALT'));
    // Insert just below the left half's last item or just above the right half's first.
    const middle = Math.floor(order.length / 2);
    if (i % 2 === 0) {
      await rank(issue, order[middle - 1]!, null);
      order.splice(middle, 0, issue);
    } else {
      await rank(issue, null, order[middle]!);
      order.splice(middle, 0, issue);
    }
  }
  expect(await boardOrder('ALT')).toEqual(order);
});

test('concurrent moves into the same gap never produce equal ranks', async () => {
  await makeProject(world, 'CON');
  const anchor = await makeIssue(world, 'CON');
  const movers = [];
  for (let i = 0; i < 12; i++) movers.push(await makeIssue(world, 'CON'));
  await Promise.all(movers.map((m) => rank(keyOf('CON', m), keyOf('CON', anchor), null)));
  const ranks = await world.sql<{ rank: string }>(`SELECT rank FROM issues WHERE project_id = $1`, [anchor.projectId]);
  expect(new Set(ranks.map((r) => r.rank)).size).toBe(13);
  expect((await boardOrder('CON'))[0]).toBe('CON-1');
});

test('bad neighbours are refused and nothing moves', async () => {
  await makeProject(world, 'BAD');
  await makeProject(world, 'ELSE');
  for (let i = 0; i < 3; i++) await makeIssue(world, 'BAD');
  await makeIssue(world, 'ELSE');
  const order = await boardOrder('BAD');
  expect(await refusalOf(() => rank('BAD-1', null, null))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'afterKey' });
  expect(await refusalOf(() => rank('BAD-1', 'BAD-1', null))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'afterKey' });
  expect(await refusalOf(() => rank('BAD-1', 'ELSE-1', null))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'afterKey' });
  expect(await refusalOf(() => rank('BAD-1', 'BAD-3', 'BAD-2'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'beforeKey' });
  expect(await refusalOf(() => rank('BAD-1', 'BAD-77', null))).toMatchObject({ code: 'NOT_FOUND', field: 'afterKey' });
  expect(await refusalOf(() => rankIssue(world.org.actors.VIEWER, 'BAD-1', 'BAD-2', null))).toMatchObject({ code: 'FORBIDDEN' });
  expect(await boardOrder('BAD')).toEqual(order);
  const [{ versions }] = await world.sql<{ versions: number }>(`SELECT sum(version)::int AS versions FROM issues i JOIN projects p ON p.id = i.project_id WHERE p.key = 'BAD'`);
  expect(versions).toBe(3);
});
