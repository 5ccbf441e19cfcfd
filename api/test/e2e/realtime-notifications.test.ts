// Subscription.notificationAdded across two API instances: a notification written through one
// instance reaches its recipient's socket on the other, and nobody else's; a removed member
// gets none after removal.
import { createIssue, type TestOrg } from '../support/fixtures';
import { addQuickMember } from '../support/quick-members';
import { twoTenantPair } from '../support/realtime-fixtures';
import type { Cluster, Instance } from '../support/realtime-cluster';
import { connectWs, connectionParams } from '../support/realtime-client';
import { ownerSql } from '../support/tracker-api';

const ADDED = `subscription { notificationAdded { id kind readAt issue { key } actor { id } } }`;

let cluster: Cluster;
let a: Instance;
let b: Instance;
let org: TestOrg;
let other: TestOrg;

beforeAll(async () => {
  ({ cluster, a, b, org, other } = await twoTenantPair('rtnotify', ['notif', 'notifother'], ['NTF', 'NTO']));
});

afterAll(async () => {
  await cluster?.stop();
});

const assign = (o: TestOrg, projectKey: string, assigneeId: string, title: string) =>
  createIssue(b.client, o, { projectKey, title, assigneeId });

type Feed = ReturnType<Awaited<ReturnType<typeof connectWs>>['subscribe']>;
type Heard = { kind: string; readAt: string | null; issue: { key: string }; actor: { id: string }; id: string };
const heard = (feed: Feed): Heard[] => feed.results.map((r) => r.data.notificationAdded as Heard);

/**
 * graphql-ws does not acknowledge a subscribe, and notifications are not replayed: a change made
 * before the server registered the subscription is never delivered. So the warm-up sends until
 * the feed has heard one (each attempt waits briefly; only a feed that hears none fails).
 */
async function untilHeard(feed: Feed, send: (attempt: number) => Promise<unknown>): Promise<void> {
  for (let attempt = 0; attempt < 60; attempt++) {
    await send(attempt);
    try {
      await feed.waitFor(1, 1_000);
      return;
    } catch (error) {
      if (feed.isComplete) throw error;
    }
  }
  throw new Error('the subscription never heard a notification');
}

/** Waits until `feed` has heard about the issue `key`, and returns that notification. */
async function heardAbout(feed: Feed, key: string): Promise<Heard> {
  while (!heard(feed).some((n) => n.issue.key === key)) await feed.waitFor(feed.results.length + 1);
  return heard(feed).find((n) => n.issue.key === key)!;
}

test('a notification written through instance B reaches its recipient on instance A, and only them', async () => {
  const member = await connectWs(a.wsUrl, connectionParams(org.users.MEMBER.token, org.id));
  const viewer = await connectWs(a.wsUrl, connectionParams(org.users.VIEWER.token, org.id));
  const outsider = await connectWs(a.wsUrl, connectionParams(other.users.MEMBER.token, other.id));
  const mine = member.subscribe(ADDED);
  const viewers = viewer.subscribe(ADDED);
  const outsiders = outsider.subscribe(ADDED);
  // Every subscription is in place once each has heard one of its own.
  await Promise.all([
    untilHeard(mine, (n) => assign(org, 'NTF', org.users.MEMBER.id, `warm-up member ${n}`)),
    untilHeard(viewers, (n) => assign(org, 'NTF', org.users.VIEWER.id, `warm-up viewer ${n}`)),
    untilHeard(outsiders, (n) => assign(other, 'NTO', other.users.MEMBER.id, `warm-up outsider ${n}`)),
  ]);

  const issue = await assign(org, 'NTF', org.users.MEMBER.id, 'for the member');
  const added = await heardAbout(mine, issue.key);
  expect(added).toMatchObject({ kind: 'ASSIGNED', readAt: null, issue: { key: issue.key }, actor: { id: org.owner.id } });
  // The same notification is the first of the member's list (as seen through the other instance).
  const listed = await b.client.ok(`{ notifications(first: 1) { unreadCount edges { node { id } } } }`, {}, { token: org.users.MEMBER.token, orgId: org.id });
  expect(listed.notifications.edges[0].node.id).toBe(added.id);
  // The member's own action notifies nobody; the viewer's next one comes after it in commit order.
  await b.client.ok(`mutation($k: String!, $b: String!) { addComment(issueKey: $k, body: $b) { id } }`, { k: issue.key, b: `<@${org.users.MEMBER.id}> self` }, { token: org.users.MEMBER.token, orgId: org.id });
  const forViewer = await assign(org, 'NTF', org.users.VIEWER.id, 'for the viewer');
  await heardAbout(viewers, forViewer.key);
  const forOutsider = await assign(other, 'NTO', other.users.MEMBER.id, 'for the outsider');
  await heardAbout(outsiders, forOutsider.key);
  expect(heard(mine).filter((n) => n.issue.key === issue.key)).toEqual([added]);
  expect(heard(mine).every((n) => n.actor.id === org.owner.id)).toBe(true);
  expect(heard(viewers).map((n) => n.issue.key)).not.toContain(issue.key);
  expect(heard(outsiders).every((n) => n.actor.id === other.owner.id)).toBe(true);
  for (const ws of [member, viewer, outsider]) await ws.close();
});

test('a removed member receives nothing after removal, live or listed', async () => {
  const leaving = await addQuickMember(b, org, 'MEMBER', 'leaving');
  const gone = await connectWs(a.wsUrl, connectionParams(leaving.token, org.id));
  const staying = await connectWs(a.wsUrl, connectionParams(org.users.ADMIN.token, org.id));
  const goneFeed = gone.subscribe(ADDED);
  const stayingFeed = staying.subscribe(ADDED);
  await Promise.all([
    untilHeard(goneFeed, (n) => assign(org, 'NTF', leaving.id, `before removal ${n}`)),
    untilHeard(stayingFeed, (n) => assign(org, 'NTF', org.users.ADMIN.id, `warm-up admin ${n}`)),
  ]);
  await b.client.ok(`mutation($id: ID!) { removeMember(userId: $id) }`, { id: leaving.id }, { token: org.owner.token, orgId: org.id });
  // A change that names both: only the member still there hears of it.
  const issue = await createIssue(b.client, org, { projectKey: 'NTF', title: 'after removal', description: `<@${leaving.id}> <@${org.users.ADMIN.id}>` });
  expect(await heardAbout(stayingFeed, issue.key)).toMatchObject({ kind: 'MENTIONED', issue: { key: issue.key } });
  expect(heard(goneFeed).map((n) => n.issue.key)).not.toContain(issue.key);
  const sql = ownerSql(b);
  try {
    expect(await sql.count('notifications n JOIN issues i ON i.id = n.issue_id', `i.title = 'after removal'`)).toBe(1);
  } finally {
    await sql.end();
  }
  await gone.close();
  await staying.close();
});
