// Keyset pagination over HTTP: for every order field in both directions, walking all pages
// yields exactly the expected total order (ties broken by id, missing due dates last when
// ascending), with no duplicates and no gaps.
import { startTestApi, type TestApi } from '../support/test-server';
import { createIssue, createOrg, createProject, type TestOrg } from '../support/fixtures';
import { clientAs, ownerSql, refusal, type OwnerSql, type RoleClient } from '../support/tracker-api';

let api: TestApi;
let org: TestOrg;
let member: RoleClient;
let sql: OwnerSql;

const COUNT = 60;
const PRIORITIES = ['NONE', 'LOW', 'MEDIUM', 'HIGH', 'URGENT'];
const FIELDS = ['CREATED_AT', 'UPDATED_AT', 'PRIORITY', 'RANK', 'DUE_DATE', 'NUMBER'] as const;

interface Row {
  id: string;
  number: number;
  priority: string;
  rank: string;
  created_at: Date;
  updated_at: Date;
  due_date: Date | null;
}

const PAGE = `query($order: IssueOrder, $first: Int, $after: String, $filter: IssueFilter) {
  project(key: "PAG") { issues(orderBy: $order, first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { number } } } } }`;

beforeAll(async () => {
  api = await startTestApi('pagination');
  org = await createOrg(api.client, 'pag');
  member = clientAs(api, org, 'MEMBER');
  sql = ownerSql(api);
  await createProject(api.client, org, 'PAG');
  let next = 0;
  const worker = async () => {
    while (next < COUNT) {
      const i = next++;
      // Ties everywhere: three priorities in use, a third without due date, repeated dates.
      const dueDate = i % 3 === 0 ? null : new Date(Date.UTC(2030, 0, 1 + (i % 4))).toISOString();
      await createIssue(api.client, org, { projectKey: 'PAG', title: i % 2 ? 'Alpha report' : 'Alpha report summary', priority: PRIORITIES[i % 3], dueDate });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  // Shared timestamps and duplicated ranks, which only the id can order.
  await sql.query(`UPDATE issues SET created_at = TIMESTAMPTZ '2030-01-01' + (number % 5) * INTERVAL '1 hour', updated_at = TIMESTAMPTZ '2030-02-01' + (number % 4) * INTERVAL '1 minute'`);
  await sql.query(`UPDATE issues SET rank = 'r' WHERE number % 10 = 0`);
});
afterAll(async () => {
  await sql?.end();
  await api?.stop();
});

function sortKey(row: Row, field: (typeof FIELDS)[number]): number | string {
  switch (field) {
    case 'CREATED_AT':
      return row.created_at.getTime();
    case 'UPDATED_AT':
      return row.updated_at.getTime();
    case 'PRIORITY':
      return PRIORITIES.indexOf(row.priority);
    case 'RANK':
      return row.rank;
    case 'DUE_DATE':
      return row.due_date?.getTime() ?? Number.POSITIVE_INFINITY;
    case 'NUMBER':
      return row.number;
  }
}

function expectedOrder(rows: Row[], field: (typeof FIELDS)[number], direction: 'ASC' | 'DESC'): number[] {
  const sign = direction === 'ASC' ? 1 : -1;
  const compare = (a: number | string, b: number | string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...rows]
    .sort((a, b) => sign * (compare(sortKey(a, field), sortKey(b, field)) || compare(a.id, b.id)))
    .map((r) => r.number);
}

async function walk(variables: Record<string, unknown>, first: number): Promise<number[]> {
  const seen: number[] = [];
  let after: string | null = null;
  for (let pages = 0; ; pages++) {
    expect(pages).toBeLessThan(COUNT + 2);
    const data: any = await member.ok(PAGE, { ...variables, first, after });
    const connection = data.project.issues;
    expect(connection.pageInfo.hasPreviousPage).toBe(after !== null);
    if (connection.edges.length > 0) {
      expect(connection.pageInfo.startCursor).toBe(connection.edges[0].cursor);
      expect(connection.pageInfo.endCursor).toBe(connection.edges.at(-1).cursor);
    }
    seen.push(...connection.edges.map((e: any) => e.node.number));
    if (!connection.pageInfo.hasNextPage) return seen;
    after = connection.pageInfo.endCursor;
  }
}

test('the data set has the ties and gaps the walk is meant to cross', async () => {
  const rows = await sql.query<Row>(`SELECT id, number, priority::text, rank, created_at, updated_at, due_date FROM issues`);
  expect(rows).toHaveLength(COUNT);
  expect(rows.filter((r) => r.due_date === null).length).toBe(COUNT / 3);
  expect(new Set(rows.map((r) => r.created_at.getTime())).size).toBe(5);
  expect(rows.filter((r) => r.rank === 'r')).toHaveLength(6);
});

for (const field of FIELDS) {
  for (const direction of ['ASC', 'DESC'] as const) {
    test(`walking every page ordered by ${field} ${direction} gives the exact total order`, async () => {
      const rows = await sql.query<Row>(`SELECT id, number, priority::text, rank, created_at, updated_at, due_date FROM issues`);
      const walked = await walk({ order: { field, direction } }, 7);
      expect(walked).toEqual(expectedOrder(rows, field, direction));
      expect(new Set(walked).size).toBe(COUNT);
    });
  }
}

test('the direction defaults to DESC and no order means rank ascending', async () => {
  const rows = await sql.query<Row>(`SELECT id, number, priority::text, rank, created_at, updated_at, due_date FROM issues`);
  expect(await walk({ order: { field: 'PRIORITY' } }, 13)).toEqual(expectedOrder(rows, 'PRIORITY', 'DESC'));
  expect(await walk({}, 13)).toEqual(expectedOrder(rows, 'RANK', 'ASC'));
});

test('a text search ranked by relevance pages through ties without duplicates or gaps', async () => {
  const one: any = await member.ok(PAGE, { filter: { text: 'alpha' }, first: 100 });
  const all = one.project.issues.edges.map((e: any) => e.node.number);
  expect(all).toHaveLength(COUNT);
  expect(await walk({ filter: { text: 'alpha' } }, 9)).toEqual(all);
  const summaries = await walk({ filter: { text: 'summary', priorities: ['LOW', 'MEDIUM'] }, order: { field: 'DUE_DATE', direction: 'ASC' } }, 4);
  const rows = await sql.query<Row>(`SELECT id, number, priority::text, rank, created_at, updated_at, due_date FROM issues WHERE title LIKE '%summary' AND priority IN ('LOW', 'MEDIUM')`);
  expect(summaries).toEqual(expectedOrder(rows, 'DUE_DATE', 'ASC'));
});

test('first defaults to 50, allows 100 and refuses 101 or a negative number; a forged cursor is BAD_USER_INPUT', async () => {
  const byDefault: any = await member.ok(PAGE, {});
  expect(byDefault.project.issues.edges).toHaveLength(50);
  expect(byDefault.project.issues.totalCount).toBe(COUNT);
  const max: any = await member.ok(PAGE, { first: 100 });
  expect(max.project.issues.edges).toHaveLength(COUNT);
  expect(max.project.issues.pageInfo.hasNextPage).toBe(false);
  expect(refusal(await member.request(PAGE, { first: 101 }))).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
  expect(refusal(await member.request(PAGE, { first: -1 }))).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
  expect(refusal(await member.request(`{ issues(first: 500) { totalCount } }`))).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
  expect(refusal(await member.request(PAGE, { after: 'bm90IGEgY3Vyc29y' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
  const forged = Buffer.from(JSON.stringify(['not a date', 'also not a uuid'])).toString('base64url');
  expect(refusal(await member.request(PAGE, { after: forged, order: { field: 'CREATED_AT' } }))).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
});
