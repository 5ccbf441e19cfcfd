// Subscription.notificationAdded across two API instances: a notification written through one
// instance reaches its recipient's socket on the other, and nobody else's; a removed member
// gets none after removal.
import { createIssue, createProject, type TestOrg } from '../support/fixtures';
import { addQuickMember } from '../support/quick-members';
import { quickOrg } from '../support/realtime-fixtures';
import { startCluster, type Cluster, type Instance } from '../support/realtime-cluster';
import { connectWs, connectionParams } from '../support/realtime-client';
import { ownerSql } from '../support/tracker-api';

const ADDED = `subscription { notificationAdded { id kind readAt issue { key } actor { id } } }`;

let cluster: Cluster;
let a: Instance;
let b: Instance;
let org: TestOrg;
let other: TestOrg;

beforeAll(async () => {
  cluster = await startCluster('rtnotify', 2);
  [a, b] = cluster.instances as [Instance, Instance];
  org = await quickOrg(b, 'notif');
  other = await quickOrg(b, 'notifother');
  await createProject(b.client, org, 'NTF');
  await createProject(b.client, other, 'NTO');
});

afterAll(async () => {
  await cluster?.stop();
});

const assign = (o: TestOrg, projectKey: string, assigneeId: string, title: string) =>
  createIssue(b.client, o, { projectKey, title, assigneeId });

test('a notification written through instance B reaches its recipient on instance A, and only them', async () => {
  const member = await connectWs(a.wsUrl, connectionParams(org.users.MEMBER.token, org.id));
  const viewer = await connectWs(a.wsUrl, connectionParams(org.users.VIEWER.token, org.id));
  const outsider = await connectWs(a.wsUrl, connectionParams(other.users.MEMBER.token, other.id));
  const mine = member.subscribe(ADDED);
  const viewers = viewer.subscribe(ADDED);
  const outsiders = outsider.subscribe(ADDED);
  // Every subscription is in place once each has received one of its own.
  await assign(org, 'NTF', org.users.MEMBER.id, 'warm-up member');
  await assign(org, 'NTF', org.users.VIEWER.id, 'warm-up viewer');
  await assign(other, 'NTO', other.users.MEMBER.id, 'warm-up outsider');
  await Promise.all([mine.waitFor(1), viewers.waitFor(1), outsiders.waitFor(1)]);

  const issue = await assign(org, 'NTF', org.users.MEMBER.id, 'for the member');
  await mine.waitFor(2);
  const added = mine.results[1]!.data.notificationAdded;
  expect(added).toMatchObject({ kind: 'ASSIGNED', readAt: null, issue: { key: issue.key }, actor: { id: org.owner.id } });
  // The same notification is the first of the member's list (as seen through the other instance).
  const listed = await b.client.ok(`{ notifications(first: 1) { unreadCount edges { node { id } } } }`, {}, { token: org.users.MEMBER.token, orgId: org.id });
  expect(listed.notifications.edges[0].node.id).toBe(added.id);
  // The member's own action notifies nobody; the viewer's next one comes after it in commit order.
  await b.client.ok(`mutation($k: String!, $b: String!) { addComment(issueKey: $k, body: $b) { id } }`, { k: issue.key, b: `<@${org.users.MEMBER.id}> self` }, { token: org.users.MEMBER.token, orgId: org.id });
  await assign(org, 'NTF', org.users.VIEWER.id, 'for the viewer');
  await viewers.waitFor(2);
  await assign(other, 'NTO', other.users.MEMBER.id, 'for the outsider');
  await outsiders.waitFor(2);
  expect(mine.results).toHaveLength(2);
  expect(viewers.results.map((r) => r.data.notificationAdded.issue.key)).not.toContain(issue.key);
  expect(outsiders.results.every((r) => r.data.notificationAdded.actor.id === other.owner.id)).toBe(true);
  for (const ws of [member, viewer, outsider]) await ws.close();
});

test('a removed member receives nothing after removal, live or listed', async () => {
  const leaving = await addQuickMember(b, org, 'MEMBER', 'leaving');
  const gone = await connectWs(a.wsUrl, connectionParams(leaving.token, org.id));
  const staying = await connectWs(a.wsUrl, connectionParams(org.users.ADMIN.token, org.id));
  const goneFeed = gone.subscribe(ADDED);
  const stayingFeed = staying.subscribe(ADDED);
  await assign(org, 'NTF', leaving.id, 'before removal');
  await assign(org, 'NTF', org.users.ADMIN.id, 'warm-up admin');
  await Promise.all([goneFeed.waitFor(1), stayingFeed.waitFor(1)]);
  await b.client.ok(`mutation($id: ID!) { removeMember(userId: $id) }`, { id: leaving.id }, { token: org.owner.token, orgId: org.id });
  // A change that names both: only the member still there hears of it.
  const issue = await createIssue(b.client, org, { projectKey: 'NTF', title: 'after removal', description: `<@${leaving.id}> <@${org.users.ADMIN.id}>` });
  await stayingFeed.waitFor(2);
  expect(stayingFeed.results[1]!.data.notificationAdded).toMatchObject({ kind: 'MENTIONED', issue: { key: issue.key } });
  expect(goneFeed.results).toHaveLength(1);
  const sql = ownerSql(b);
  try {
    expect(await sql.count('notifications n JOIN issues i ON i.id = n.issue_id', `i.title = 'after removal'`)).toBe(1);
  } finally {
    await sql.end();
  }
  await gone.close();
  await staying.close();
});
