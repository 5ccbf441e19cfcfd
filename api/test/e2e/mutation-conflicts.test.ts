// Documents with two mutation fields against ordinary concurrent writes to the same project.
// A document's first mutation holds the project's event lock until the request commits; its
// second then wants a row another writer holds. That used to deadlock (a masked 500) and could
// commit the first field's write while answering data: null. Now: one lock order per project
// (the event lock first), any deadlock or serialization failure left answers a retryable
// CONFLICT with the document rolled back whole, and every response matches the database.
import { ownerClient, untilAppWaitsOnLocks } from '../support/lock-waits';
import { startTestApi, type TestApi } from '../support/test-server';
import { createIssue, createOrg, createProject, type TestOrg } from '../support/fixtures';
import { decodeGlobalId } from '../../src/graphql/global-id';
import { ownerSql, type OwnerSql } from '../support/tracker-api';

const REQUESTS = 45;
const ISSUES = 4;

let api: TestApi;
let org: TestOrg;
let sql: OwnerSql;
const keys: string[] = [];
const otherKeys: string[] = [];

beforeAll(async () => {
  api = await startTestApi('mutconflict', { WEBHOOK_WORKER_CONCURRENCY: '0' });
  org = await createOrg(api.client, 'mutc');
  await createProject(api.client, org, 'MUC');
  for (let i = 0; i < ISSUES; i++) keys.push((await createIssue(api.client, org, { projectKey: 'MUC', title: `seed ${i}` })).key);
  await createProject(api.client, org, 'MUD');
  for (let i = 0; i < 2; i++) otherKeys.push((await createIssue(api.client, org, { projectKey: 'MUD', title: `other ${i}` })).key);
  sql = ownerSql(api);
});

afterAll(async () => {
  await sql?.end();
  await api?.stop();
});

interface Sent {
  readonly marker: string;
  /** The top-level fields of the document, each with the text its write leaves behind. */
  readonly writes: { readonly field: string; readonly kind: 'title' | 'comment'; readonly text: string }[];
  readonly query: string;
}

function documentFor(n: number): Sent {
  const marker = `m${n}x`;
  const first = keys[n % ISSUES]!;
  const second = keys[(n + 1 + (n % 3)) % ISSUES]!;
  const title = (field: string, key: string) => ({
    field,
    kind: 'title' as const,
    text: `${marker} ${field}`,
    gql: `${field}: updateIssue(key: "${key}", input: { title: "${marker} ${field}" }) { key title }`,
  });
  const comment = (field: string, key: string) => ({
    field,
    kind: 'comment' as const,
    text: `${marker} ${field}`,
    gql: `${field}: addComment(issueKey: "${key}", body: "${marker} ${field}") { id body }`,
  });
  const shapes = [
    [title('a', first), title('b', second)],
    [title('a', first), comment('b', second)],
    [comment('a', first), title('b', second)],
    [title('a', second)],
    [comment('a', first)],
  ];
  const parts = shapes[n % shapes.length]!;
  return { marker, writes: parts.map(({ gql: _gql, ...write }) => write), query: `mutation { ${parts.map((p) => p.gql).join(' ')} }` };
}

async function written(write: Sent['writes'][number]): Promise<boolean> {
  if (write.kind === 'comment') return (await sql.count('comments', 'body = $1', [write.text])) > 0;
  return (await sql.count('issue_events', `field = 'title' AND "to" = to_jsonb($1::text)`, [write.text])) > 0;
}

test(`${REQUESTS} concurrent two-mutation documents and single mutations on one project: no 500, and every answer matches the database`, async () => {
  const sent = Array.from({ length: REQUESTS }, (_, n) => documentFor(n));
  const caller = { token: org.users.MEMBER.token, orgId: org.id };
  const answers = await Promise.all(sent.map((doc) => api.client.request(doc.query, {}, caller)));

  const problems: string[] = [];
  const codes: string[] = [];
  for (const [n, answer] of answers.entries()) {
    const doc = sent[n]!;
    for (const error of answer.errors ?? []) codes.push(String(error.extensions?.code));
    if (answer.status >= 500) problems.push(`#${n} answered HTTP ${answer.status}`);
    for (const write of doc.writes) {
      const reported = answer.data?.[write.field] != null;
      const inDatabase = await written(write);
      if (reported !== inDatabase) problems.push(`#${n}.${write.field}: reported ${reported}, in the database ${inDatabase} (${JSON.stringify(answer.errors)})`);
    }
    if (answer.errors?.length) {
      expect(answer.data ?? null).toBeNull();
      for (const error of answer.errors) expect(error.extensions).toMatchObject({ code: 'CONFLICT', retryAfterSeconds: 1 });
      expect(answer.headers.get('retry-after')).toBe('1');
    }
  }
  expect(problems).toEqual([]);
  expect(codes.filter((code) => code === 'INTERNAL_SERVER_ERROR')).toEqual([]);
  // The lock order leaves these documents nothing to deadlock on.
  expect(codes).toEqual([]);
});

test('a real deadlock (two documents writing two projects in opposite orders) answers one retryable CONFLICT, rolled back whole; the retry succeeds', async () => {
  const caller = { token: org.users.MEMBER.token, orgId: org.id };
  const two = (first: string, second: string, tag: string) =>
    `mutation { a: updateIssue(key: "${first}", input: { title: "${tag} a" }) { key } b: updateIssue(key: "${second}", input: { title: "${tag} b" }) { key } }`;
  const [holder, observer] = await Promise.all([ownerClient(api.database.ownerUrl), ownerClient(api.database.ownerUrl)]);
  const waiting = (n: number) => untilAppWaitsOnLocks(observer, n);
  try {
    // MUD's second issue is row-locked here: D2 takes MUD's event lock, then waits for the row.
    await holder.query('BEGIN');
    await holder.query(`SELECT 1 FROM issues i JOIN projects p ON p.id = i.project_id WHERE p.key = 'MUD' AND i.number = 2 FOR UPDATE OF i`);
    const d2 = api.client.request(two(otherKeys[1]!, keys[1]!, 'dl2'), {}, caller);
    await waiting(1);
    // D1 takes MUC's event lock, then waits for MUD's (held by D2).
    const d1 = api.client.request(two(keys[0]!, otherKeys[0]!, 'dl1'), {}, caller);
    await waiting(2);
    // D2 gets its row, then wants MUC's event lock (held by D1): a deadlock PostgreSQL breaks.
    await holder.query('COMMIT');
    const answers = await Promise.all([d1, d2]);
    const lost = answers.filter((a) => a.errors?.length);
    expect(lost).toHaveLength(1);
    const [loser] = lost;
    expect(loser!.status).toBe(200);
    expect(loser!.data ?? null).toBeNull();
    expect(loser!.errors!.map((e) => e.extensions?.code)).toEqual(['CONFLICT']);
    expect(loser!.errors![0]!.extensions).toMatchObject({ retryAfterSeconds: 1 });
    expect(loser!.headers.get('retry-after')).toBe('1');
    const tag = loser === answers[0] ? 'dl1' : 'dl2';
    const winnerTag = tag === 'dl1' ? 'dl2' : 'dl1';
    // Nothing of the loser is in the database, all of the winner is.
    expect(await sql.count('issue_events', `field = 'title' AND "to"::text LIKE $1`, [`%${tag} %`])).toBe(0);
    expect(await sql.count('issue_events', `field = 'title' AND "to"::text LIKE $1`, [`%${winnerTag} %`])).toBe(2);
    const retry = await api.client.request(tag === 'dl1' ? two(keys[0]!, otherKeys[0]!, 'dl1') : two(otherKeys[1]!, keys[1]!, 'dl2'), {}, caller);
    expect(retry.errors).toBeUndefined();
    expect(await sql.count('issue_events', `field = 'title' AND "to"::text LIKE $1`, [`%${tag} %`])).toBe(2);
  } finally {
    await holder.end().catch(() => undefined);
    await observer.end().catch(() => undefined);
  }
});

test('removing an ADMIN whose write is in flight does not deadlock with it: the write lands, then the removal', async () => {
  const victim = await createOrg(api.client, 'reqtxl');
  const orgRow = decodeGlobalId(victim.id, 'id').rowId;
  const adminRow = decodeGlobalId(victim.users.ADMIN.id, 'id').rowId;
  const [holder, observer] = await Promise.all([ownerClient(api.database.ownerUrl), ownerClient(api.database.ownerUrl)]);
  const waiting = (n: number) => untilAppWaitsOnLocks(observer, n);
  try {
    // Both requests get past their pins and then wait here on projects (the ADMIN to insert
    // one, the removal to clear the member's leads).
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE projects IN SHARE ROW EXCLUSIVE MODE');
    const write = api.client.request(`mutation { createProject(input: { key: "INFL", name: "in flight" }) { key } }`, {}, { token: victim.users.ADMIN.token, orgId: victim.id });
    await waiting(1);
    const removal = api.client.request(`mutation($id: ID!) { removeMember(userId: $id) }`, { id: victim.users.ADMIN.id }, { token: victim.owner.token, orgId: victim.id });
    await waiting(2);
    await holder.query('COMMIT');
    const [written, removed] = await Promise.all([write, removal]);
    expect(written.errors).toBeUndefined();
    expect(written.data).toEqual({ createProject: { key: 'INFL' } });
    expect(removed.errors).toBeUndefined();
    const { rows } = await observer.query(
      `SELECT (SELECT count(*)::int FROM projects WHERE org_id = $1 AND key = 'INFL') AS projects,
              (SELECT count(*)::int FROM memberships WHERE org_id = $1 AND user_id = $2) AS memberships`,
      [orgRow, adminRow],
    );
    expect(rows[0]).toEqual({ projects: 1, memberships: 0 });
  } finally {
    await holder.end().catch(() => undefined);
    await observer.end().catch(() => undefined);
  }
});
