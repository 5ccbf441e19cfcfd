// A socket is no licence: a member removed while connected must stop reading at once. The
// membership is looked up again on every subscribe, on every batch of events, and every
// REALTIME_MEMBERSHIP_RECHECK_SECONDS; once it is gone the socket closes with 4403, whether it
// was opened with an access token or an API token.
import { toGlobalId } from '../../src/graphql/global-id';
import { createIssue, createProject, type TestOrg, type TestUser } from '../support/fixtures';
import { addQuickMember } from '../support/quick-members';
import { quickOrg } from '../support/realtime-fixtures';
import { startCluster, startInstance, type Cluster, type Instance } from '../support/realtime-cluster';
import { ISSUE_EVENTS, connectWs, connectionParams, eventsOf } from '../support/realtime-client';
import { ownerSql } from '../support/tracker-api';

let cluster: Cluster;
/** Re-checks memberships only hourly: whatever it refuses, the subscribe and batch checks refused. */
let slow: Instance;
/** Re-checks every second: an idle socket is closed by the timer. */
let fast: Instance;
let org: TestOrg;

const FORBIDDEN_CLOSE = { code: 4403, reason: 'FORBIDDEN: You are no longer a member of this organization' };

beforeAll(async () => {
  cluster = await startCluster('rtmember', 1, { REALTIME_MEMBERSHIP_RECHECK_SECONDS: '3600' });
  slow = cluster.instances[0]!;
  fast = await startInstance(cluster.database, { REALTIME_MEMBERSHIP_RECHECK_SECONDS: '1' });
  org = await quickOrg(slow, 'member');
  await createProject(slow.client, org, 'MEM');
});

afterAll(async () => {
  await fast?.stop();
  await cluster?.stop();
});

const remove = (user: TestUser) =>
  slow.client.ok(`mutation($id: ID!) { removeMember(userId: $id) }`, { id: user.id }, { token: org.owner.token, orgId: org.id });

const comment = (key: string, body: string) =>
  slow.client.ok(`mutation($k: String!, $b: String!) { addComment(issueKey: $k, body: $b) { id } }`, { k: key, b: body }, { token: org.owner.token, orgId: org.id });

/** The newest event id so far (a subscription with it as `after` misses nothing that follows), or the oldest. */
async function newestEventId(bound: 'max' | 'min' = 'max'): Promise<string> {
  const sql = ownerSql(slow);
  try {
    const [{ id }] = await sql.query<{ id: string }>(`SELECT ${bound}(id)::text AS id FROM issue_events`);
    return toGlobalId('IssueEvent', id!);
  } finally {
    await sql.end();
  }
}

test('an idle socket of a removed member closes with 4403 within the recheck interval, for an access token and an API token alike', async () => {
  const viaAccess = await addQuickMember(slow, org, 'MEMBER', 'idle-access');
  const viaApi = await addQuickMember(slow, org, 'VIEWER', 'idle-api');
  const created = await slow.client.ok(`mutation { createApiToken(name: "wall board") { token } }`, {}, { token: viaApi.token });
  const sockets = [
    await connectWs(fast.wsUrl, connectionParams(viaAccess.token, org.id)),
    await connectWs(fast.wsUrl, connectionParams(created.createApiToken.token, org.id)),
  ];
  const subscriptions = sockets.map((ws) => ws.subscribe(ISSUE_EVENTS, { projectKey: 'MEM' }));
  await remove(viaAccess);
  await remove(viaApi);
  for (const ws of sockets) expect(await ws.closed).toEqual(FORBIDDEN_CLOSE);
  expect(subscriptions.flatMap(eventsOf)).toEqual([]);
  // A new socket with the same credentials is refused at connection_init.
  await expect(connectWs(fast.wsUrl, connectionParams(created.createApiToken.token, org.id))).rejects.toMatchObject({ code: 4403 });
});

test('a removed member gets no event committed after the removal: the next batch closes the socket instead', async () => {
  const member = await addQuickMember(slow, org, 'MEMBER', 'live');
  const issue = await createIssue(slow.client, org, { projectKey: 'MEM', title: 'watched by a leaver' });
  const ws = await connectWs(slow.wsUrl, connectionParams(member.token, org.id));
  const subscription = ws.subscribe(ISSUE_EVENTS, { projectKey: 'MEM', after: await newestEventId() });
  await comment(issue.key, 'while a member');
  await subscription.waitFor(1);
  await remove(member);
  await comment(issue.key, 'after the removal');
  expect(await ws.closed).toEqual(FORBIDDEN_CLOSE);
  expect(eventsOf(subscription).map((event) => event.kind)).toEqual(['COMMENTED']);
  expect(subscription.results).toHaveLength(1);
});

test('a removed member can neither subscribe to a project created after the removal nor replay history with after', async () => {
  const newcomer = await addQuickMember(slow, org, 'ADMIN', 'new-project');
  const replayer = await addQuickMember(slow, org, 'VIEWER', 'replay');
  const sockets = [await connectWs(slow.wsUrl, connectionParams(newcomer.token, org.id)), await connectWs(slow.wsUrl, connectionParams(replayer.token, org.id))];
  await remove(newcomer);
  await remove(replayer);
  await createProject(slow.client, org, 'LATER');
  await createIssue(slow.client, org, { projectKey: 'LATER', title: 'made after they left' });
  const fresh = sockets[0]!.subscribe(ISSUE_EVENTS, { projectKey: 'LATER' });
  const replay = sockets[1]!.subscribe(ISSUE_EVENTS, { projectKey: 'MEM', after: await newestEventId('min') });
  for (const ws of sockets) expect(await ws.closed).toEqual(FORBIDDEN_CLOSE);
  expect(eventsOf(fresh)).toEqual([]);
  expect(eventsOf(replay)).toEqual([]);
});

test('a member demoted while connected keeps the socket: every role may subscribe, and the role is read afresh anyway', async () => {
  const admin = await addQuickMember(slow, org, 'ADMIN', 'demoted');
  const issue = await createIssue(slow.client, org, { projectKey: 'MEM', title: 'seen after a demotion' });
  const ws = await connectWs(fast.wsUrl, connectionParams(admin.token, org.id));
  await slow.client.ok(`mutation($id: ID!) { updateMemberRole(userId: $id, role: VIEWER) { role } }`, { id: admin.id }, { token: org.owner.token, orgId: org.id });
  const subscription = ws.subscribe(ISSUE_EVENTS, { projectKey: 'MEM', after: await newestEventId() });
  await comment(issue.key, 'to a viewer');
  await subscription.waitFor(1);
  expect(eventsOf(subscription).map((event) => event.issue.key)).toEqual([issue.key]);
  await ws.close();
});
