// Delivery guarantees of Subscription.issueEvents under stress: concurrent writers on two
// instances, the listening connection killed mid-burst, and a client that disconnects and
// resumes with `after`. Every event must arrive exactly once, in commit (= id) order.
import { decodeGlobalId, toGlobalId } from '../../src/graphql/global-id';
import { createIssue, createProject, type TestOrg } from '../support/fixtures';
import { quickOrg } from '../support/realtime-fixtures';
import { startCluster, type Cluster, type Instance } from '../support/realtime-cluster';
import { ISSUE_EVENTS, connectWs, connectionParams, eventsOf, type WsSubscription } from '../support/realtime-client';
import { writeChanges } from '../support/realtime-changes';
import { ownerSql, type OwnerSql } from '../support/tracker-api';

let cluster: Cluster;
let a: Instance;
let b: Instance;
let org: TestOrg;
let sql: OwnerSql;

beforeAll(async () => {
  cluster = await startCluster('rtdelivery', 2, { REALTIME_SEND_BUFFER_EVENTS: '2000' });
  [a, b] = cluster.instances as [Instance, Instance];
  org = await quickOrg(b, 'burst');
  sql = ownerSql(a);
});

afterAll(async () => {
  await sql?.end();
  await cluster?.stop();
});

const rowId = (globalId: string) => BigInt(decodeGlobalId(globalId, 'id').rowId);

/** `count` comments spread over `keys`, `concurrency` at a time, alternating instances. */
async function burst(keys: readonly string[], count: number, concurrency: number, onProgress?: (done: number) => void): Promise<void> {
  let next = 0;
  let done = 0;
  const worker = async (lane: number) => {
    for (let n = next++; n < count; n = next++) {
      const via = (n + lane) % 2 === 0 ? a : b;
      await via.client.ok(`mutation($k: String!, $b: String!) { addComment(issueKey: $k, body: $b) { id } }`, { k: keys[n % keys.length], b: `burst ${n}` }, { token: org.owner.token, orgId: org.id });
      onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, lane) => worker(lane)));
}

/** The project's event ids in the database (as the owner), oldest first. */
async function storedIds(projectKey: string, afterId = 0n): Promise<bigint[]> {
  const rows = await sql.query<{ id: string }>(
    `SELECT e.id::text AS id FROM issue_events e JOIN projects p ON p.id = e.project_id WHERE p.key = $1 AND e.id > $2 ORDER BY e.id`,
    [projectKey, afterId.toString()],
  );
  return rows.map((row) => BigInt(row.id));
}

function receivedIds(subscription: WsSubscription): bigint[] {
  return eventsOf(subscription).map((event) => rowId(event.id));
}

test('killing the listening connections during a burst of 1,000 changes loses nothing: every event arrives once, in order', async () => {
  await createProject(b.client, org, 'BURST');
  const issueIds = [];
  for (let i = 0; i < 8; i++) issueIds.push((await createIssue(b.client, org, { projectKey: 'BURST', title: `burst ${i}` })).id);
  const before = (await storedIds('BURST')).at(-1)!;
  const ws = await connectWs(a.wsUrl, connectionParams(org.users.VIEWER.token, org.id));
  // `after` pins the starting point: without it, the stream starts wherever the server is
  // when the subscription is set up, which a client can't observe.
  const subscription = ws.subscribe(ISSUE_EVENTS, { projectKey: 'BURST', after: toGlobalId('IssueEvent', before) });
  const listener = a.server.realtime.runtime.listener!;
  const connectsBefore = listener.connects;
  let killed: Promise<number> | undefined;
  const started = performance.now();
  await writeChanges(cluster.database.appUrl, { org, issueIds }, {
    count: 1000,
    connections: 8,
    onProgress: (done) => {
      if (done === 300) killed = cluster.killListeners();
    },
  });
  const written = performance.now() - started;
  expect(await killed).toBeGreaterThanOrEqual(2);
  await subscription.waitFor(1000, 60_000);
  const received = performance.now() - started;
  console.log(`1,000 changes from 8 concurrent writers: written in ${written.toFixed(0)} ms, all received on A in ${received.toFixed(0)} ms`);
  const ids = receivedIds(subscription);
  expect(ids).toEqual(await storedIds('BURST', before));
  expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
  expect(listener.connects).toBeGreaterThan(connectsBefore);
  expect(subscription.results.every((result) => result.errors === undefined)).toBe(true);
  await ws.close();
});

test('a client that reconnects with after gets what it missed, then live events, with no gap and no duplicate', async () => {
  await createProject(b.client, org, 'RESUME');
  const issue = await createIssue(b.client, org, { projectKey: 'RESUME', title: 'resumed' });
  const created = (await storedIds('RESUME')).at(-1)!;
  const first = await connectWs(a.wsUrl, connectionParams(org.users.MEMBER.token, org.id));
  const live = first.subscribe(ISSUE_EVENTS, { projectKey: 'RESUME', after: toGlobalId('IssueEvent', created) });
  await burst([issue.key], 5, 1);
  await live.waitFor(5);
  await first.close();
  const lastSeen = eventsOf(live).at(-1)!.id;

  // Missed while away: more than one replay page; then more written while it replays.
  await writeChanges(cluster.database.appUrl, { org, issueIds: [issue.id] }, { count: 450, connections: 4 });
  await burst([issue.key], 10, 2);
  const second = await connectWs(a.wsUrl, connectionParams(org.users.MEMBER.token, org.id));
  const resumed = second.subscribe(ISSUE_EVENTS, { projectKey: 'RESUME', after: lastSeen });
  await Promise.all([writeChanges(cluster.database.appUrl, { org, issueIds: [issue.id] }, { count: 300, connections: 4 }), burst([issue.key], 20, 2)]);
  await resumed.waitFor(780, 60_000);
  // One change more, written after all of them: once it arrives, a late duplicate of any
  // earlier event would already have come (the stream is in id order), so none did.
  await burst([issue.key], 1, 1);
  await resumed.waitFor(781, 60_000);
  const ids = receivedIds(resumed);
  expect(ids).toEqual(await storedIds('RESUME', rowId(lastSeen)));
  expect(ids).toHaveLength(781);
  expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
  await second.close();
});

test('after the listening connection comes back, each instance reads what committed while it was away', async () => {
  await createProject(b.client, org, 'AWAY');
  const issue = await createIssue(b.client, org, { projectKey: 'AWAY', title: 'while away' });
  const before = (await storedIds('AWAY')).at(-1)!;
  const ws = await connectWs(a.wsUrl, connectionParams(org.users.VIEWER.token, org.id));
  const subscription = ws.subscribe(ISSUE_EVENTS, { projectKey: 'AWAY', after: toGlobalId('IssueEvent', before) });
  await burst([issue.key], 1, 1);
  await subscription.waitFor(1);
  const listener = a.server.realtime.runtime.listener!;
  const connects = listener.connects;
  // Keep the app role out while the changes commit, so no listener hears their notifications:
  // only the read-from-where-you-stopped after reconnecting can deliver them.
  await sql.query(`REVOKE CONNECT ON DATABASE ${cluster.database.name} FROM PUBLIC`);
  try {
    expect(await cluster.killListeners()).toBe(2);
    await writeChanges(cluster.database.ownerUrl, { org, issueIds: [issue.id] }, { count: 20, connections: 2 });
    expect(listener.connects).toBe(connects);
  } finally {
    await sql.query(`GRANT CONNECT ON DATABASE ${cluster.database.name} TO PUBLIC`);
  }
  await subscription.waitFor(21, 20_000);
  expect(listener.connects).toBeGreaterThan(connects);
  expect(receivedIds(subscription)).toEqual(await storedIds('AWAY', before));
  await ws.close();
});
