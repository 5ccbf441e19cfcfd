// updateIssues and transitionIssues over HTTP: all or nothing over up to 100 keys, each issue
// with its own version bump and history, refusals that name the key, and two bulk writes over
// the same keys in opposite orders that queue instead of deadlocking.
import { startTestApi, type TestApi } from '../support/test-server';
import { createIssue, createOrg, createProject, type TestOrg } from '../support/fixtures';
import type { Client } from 'pg';
import { clientAs, ownerSql, type OwnerSql, type RoleClient } from '../support/tracker-api';
import { connect } from '../support/rls-probe';

let api: TestApi;
let org: TestOrg;
let other: TestOrg;
let member: RoleClient;
let sql: OwnerSql;
let workflow: { id: string; name: string }[];

const UPDATE = `mutation($keys: [String!]!, $input: UpdateIssueInput!) { updateIssues(keys: $keys, input: $input) { issues { key title priority version } } }`;
const TRANSITION = `mutation($keys: [String!]!, $to: ID!) { transitionIssues(keys: $keys, toStateId: $to) { issues { key version status { name } } } }`;
const STATE = `query($key: String!) { issue(key: $key) { title priority version status { name } history { totalCount edges { node { kind field from to } } } } }`;

beforeAll(async () => {
  // Webhook deliveries are counted, never sent: no worker runs.
  // Races of 100-key changes, many a minute: far more than a real client's rate-limit budget.
  api = await startTestApi('issuebulk', { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_WORKER_CONCURRENCY: '0', RATE_LIMIT_CALLER_POINTS: '1000000000', RATE_LIMIT_ORGANIZATION_POINTS: '1000000000' });
  org = await createOrg(api.client, 'bulk');
  other = await createOrg(api.client, 'bulkother');
  member = clientAs(api, org, 'MEMBER');
  sql = ownerSql(api);
  workflow = (await createProject(api.client, org, 'BLK')).workflow;
  await createProject(api.client, org, 'BLKB');
  await createProject(api.client, other, 'BLKX');
});
afterAll(async () => {
  await sql?.end();
  await api?.stop();
});

async function issues(count: number, projectKey = 'BLK'): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < count; i++) keys.push((await createIssue(api.client, org, { projectKey, title: `Bulk ${i}` })).key);
  return keys;
}

async function versions(keys: readonly string[]): Promise<number[]> {
  return Promise.all(keys.map(async (key) => (await member.ok(STATE, { key })).issue.version));
}

const eventCount = () => sql.count('issue_events');

test('updateIssues changes every issue once, with its own version bump and history entry, answering in key order', async () => {
  const keys = await issues(3);
  const data = await member.ok(UPDATE, { keys: [keys[2], keys[0], keys[1]], input: { priority: 'HIGH', title: 'Same title' } });
  expect(data.updateIssues.issues).toEqual([keys[2], keys[0], keys[1]].map((key) => ({ key, title: 'Same title', priority: 'HIGH', version: 2 })));
  for (const key of keys) {
    const state = await member.ok(STATE, { key });
    expect(state.issue.history.edges.map((e: any) => [e.node.kind, e.node.field, e.node.to])).toEqual([
      ['UPDATED', 'priority', 'HIGH'],
      ['UPDATED', 'title', 'Same title'],
      ['CREATED', null, expect.anything()],
    ]);
  }
  // An issue that already has the values is unchanged: no bump, no history.
  const again = await member.ok(UPDATE, { keys, input: { priority: 'HIGH' } });
  expect(again.updateIssues.issues.map((i: any) => i.version)).toEqual([2, 2, 2]);
});

test('each issue of a bulk change gets its own webhook delivery (the outbox of every event), as a single update would', async () => {
  await createProject(api.client, org, 'BLKW');
  const hook = await clientAs(api, org, 'OWNER').ok(`mutation { createWebhook(projectKey: "BLKW", url: "http://127.0.0.1:9/bulk", events: ["UPDATED", "TRANSITIONED"]) { webhook { id } } }`);
  const webhookId = Buffer.from(hook.createWebhook.webhook.id, 'base64url').toString().split(':')[1];
  const keys = await issues(4, 'BLKW');
  await member.ok(UPDATE, { keys, input: { priority: 'LOW' } });
  await member.ok(TRANSITION, { keys, to: (await member.ok(`{ project(key: "BLKW") { workflow { id } } }`)).project.workflow[1].id });
  const rows = await sql.query<{ kind: string; n: number }>(
    `SELECT e.kind, count(DISTINCT e.issue_id)::int AS n FROM webhook_deliveries d JOIN issue_events e ON e.id = d.event_id WHERE d.webhook_id = $1 GROUP BY e.kind ORDER BY e.kind`,
    [webhookId],
  );
  expect(rows).toEqual([{ kind: 'TRANSITIONED', n: 4 }, { kind: 'UPDATED', n: 4 }]);
  expect(await sql.count('webhook_deliveries', 'webhook_id = $1', [webhookId])).toBe(8);
});

test('duplicate keys are applied once and answered once, at their first place', async () => {
  const keys = await issues(2);
  const data = await member.ok(UPDATE, { keys: [keys[1], keys[0], keys[1], ` ${keys[0]}`], input: { priority: 'LOW' } });
  expect(data.updateIssues.issues.map((i: any) => [i.key, i.version])).toEqual([[keys[1], 2], [keys[0], 2]]);
});

test('an unknown key, another tenant\'s key, a malformed key or an archived project changes nothing and names the key', async () => {
  const keys = await issues(2);
  const foreign = (await createIssue(api.client, other, { projectKey: 'BLKX', title: 'Theirs' })).key;
  const archivedProject = await createProject(api.client, org, 'BLKARC');
  void archivedProject;
  const archived = (await createIssue(api.client, org, { projectKey: 'BLKARC', title: 'Frozen' })).key;
  await clientAs(api, org, 'OWNER').ok(`mutation { archiveProject(key: "BLKARC") { key } }`);
  const before = await eventCount();
  for (const [bad, code] of [['BLK-99999', 'NOT_FOUND'], [foreign, 'NOT_FOUND'], ['not a key', 'NOT_FOUND'], [archived, 'BAD_USER_INPUT']] as const) {
    const response = await member.request(UPDATE, { keys: [keys[0], bad, keys[1]], input: { title: 'Never' } });
    expect(response.data).toBeNull();
    expect(response.errors![0]!.extensions).toMatchObject({ code, field: 'keys', key: bad });
  }
  // The foreign key answers exactly like a key that exists nowhere.
  const foreignAnswer = await member.request(UPDATE, { keys: [foreign], input: { title: 'Never' } });
  const nowhere = await member.request(UPDATE, { keys: ['BLKX-999999'], input: { title: 'Never' } });
  expect(foreignAnswer.errors![0]!.message).toBe(nowhere.errors![0]!.message.replace('BLKX-999999', foreign));
  expect(await versions(keys)).toEqual([1, 1]);
  expect(await eventCount()).toBe(before);
  expect(await sql.count('issues', `title = 'Never'`)).toBe(0);
});

test('VIEWERs are FORBIDDEN and a bad field value refuses every key', async () => {
  const keys = await issues(2);
  const viewer = await clientAs(api, org, 'VIEWER').request(UPDATE, { keys, input: { priority: 'HIGH' } });
  expect(viewer.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  const tooLong = await member.request(UPDATE, { keys, input: { title: 'x'.repeat(10_000) } });
  expect(tooLong.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'title', key: keys[0] });
  expect(await versions(keys)).toEqual([1, 1]);
});

test('101 keys are BAD_USER_INPUT before anything is read; 100 are fine', async () => {
  const response = await member.request(UPDATE, { keys: Array.from({ length: 101 }, (_, i) => `BLK-${i + 1}`), input: { priority: 'LOW' } });
  expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'keys' });
  const hundred = await issues(100, 'BLKB');
  const data = await member.ok(UPDATE, { keys: hundred, input: { priority: 'MEDIUM' } });
  expect(data.updateIssues.issues).toHaveLength(100);
  expect(new Set(data.updateIssues.issues.map((i: any) => i.version))).toEqual(new Set([2]));
});

test('transitionIssues moves every issue along an allowed transition, each with a TRANSITIONED entry', async () => {
  const keys = await issues(3);
  const inProgress = workflow[1]!;
  const data = await member.ok(TRANSITION, { keys, to: inProgress.id });
  expect(data.transitionIssues.issues).toEqual(keys.map((key) => ({ key, version: 2, status: { name: 'In Progress' } })));
  const state = await member.ok(STATE, { key: keys[1] });
  expect(state.issue.history.edges[0].node).toMatchObject({ kind: 'TRANSITIONED', field: 'status', to: { name: 'In Progress' } });
});

test('a transition rule refusing one issue refuses all of them and names that key', async () => {
  const keys = await issues(3);
  await member.ok(TRANSITION, { keys: [keys[1]], to: workflow[1]!.id });
  await member.ok(TRANSITION, { keys: [keys[1]], to: workflow[2]!.id });
  // keys[1] is In Review: Done is allowed from there, but not from To Do.
  const before = await eventCount();
  const response = await member.request(TRANSITION, { keys, to: workflow[3]!.id });
  expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'keys', key: keys[0] });
  expect(await eventCount()).toBe(before);
  expect(await versions(keys)).toEqual([1, 3, 1]);
  // An issue of another project than the state's is refused by key too.
  const elsewhere = (await issues(1, 'BLKB'))[0]!;
  const wrongProject = await member.request(TRANSITION, { keys: [keys[0], elsewhere], to: workflow[1]!.id });
  expect(wrongProject.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'keys', key: elsewhere });
  expect(await versions([keys[0]!])).toEqual([1]);
});

test('two bulk updates over the same keys in opposite orders, repeated, all succeed and leave consistent versions', async () => {
  const keys = [...(await issues(6)), ...(await issues(6, 'BLKB'))];
  const admin = clientAs(api, org, 'ADMIN');
  const rounds = 5;
  for (let round = 0; round < rounds; round++) {
    const [left, right] = await Promise.all([
      member.request(UPDATE, { keys, input: { title: `left ${round}` } }),
      admin.request(UPDATE, { keys: [...keys].reverse(), input: { title: `right ${round}` } }),
    ]);
    expect([left.status, right.status]).toEqual([200, 200]);
    expect([left.errors, right.errors]).toEqual([undefined, undefined]);
  }
  // Every round changed every issue twice: one version per change, and history to match.
  const finals = await versions(keys);
  expect(finals).toEqual(keys.map(() => 1 + rounds * 2));
  const [{ n }] = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM issue_events e JOIN issues i ON i.id = e.issue_id WHERE e.kind = 'UPDATED' AND i.id = ANY (SELECT i2.id FROM issues i2 JOIN projects p ON p.id = i2.project_id WHERE p.key || '-' || i2.number = ANY ($1))`,
    [keys],
  );
  expect(n).toBe(keys.length * rounds * 2);
});

test('two bulk updates in opposite orders, both caught waiting on the same issue, both land once it is free (no deadlock)', async () => {
  const keys = await issues(9);
  const middle = keys[4]!;
  const locker = await connect(api.database.ownerUrl);
  try {
    // Hold the middle issue, so each request locks what comes before it in its own lock order
    // and then waits here: were that order the order of the keys given, each would hold what
    // the other needs next, and PostgreSQL would end one as a deadlock victim.
    await locker.query('BEGIN');
    await locker.query(`SELECT i.id FROM issues i JOIN projects p ON p.id = i.project_id WHERE p.key || '-' || i.number = $1 FOR UPDATE`, [middle]);
    const pending = Promise.all([
      member.request(UPDATE, { keys, input: { title: 'forward' } }),
      clientAs(api, org, 'ADMIN').request(UPDATE, { keys: [...keys].reverse(), input: { title: 'backward' } }),
    ]);
    await waitForLockWaiters(locker, 2);
    await locker.query('COMMIT');
    const [forward, backward] = await pending;
    expect([forward.errors, backward.errors]).toEqual([undefined, undefined]);
    expect(await versions(keys)).toEqual(keys.map(() => 3));
  } finally {
    await locker.end();
  }
});

/** Resolves once `count` sessions of this database wait for a lock (pg_locks shows every role's). */
async function waitForLockWaiters(client: Client, count: number): Promise<void> {
  for (;;) {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(DISTINCT l.pid)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = current_database()`,
    );
    if (rows[0]!.n >= count) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('a bulk transition racing a bulk update over overlapping keys: both land, no deadlock', async () => {
  const keys = await issues(8);
  const [moved, renamed] = await Promise.all([
    member.request(TRANSITION, { keys, to: workflow[1]!.id }),
    clientAs(api, org, 'ADMIN').request(UPDATE, { keys: [...keys].reverse(), input: { priority: 'URGENT' } }),
  ]);
  expect([moved.errors, renamed.errors]).toEqual([undefined, undefined]);
  expect(await versions(keys)).toEqual(keys.map(() => 3));
});
