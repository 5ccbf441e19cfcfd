// Mentions and notifications over HTTP: who gets which kind, never the actor, never a
// non-member; the viewer's list with unreadCount; marking read touches only one's own.
import { randomUUID } from 'node:crypto';
import { toGlobalId } from '../../src/graphql/global-id';
import { createIssue, createOrg, createProject, type TestOrg } from '../support/fixtures';
import { addQuickMember, insertUser } from '../support/quick-members';
import { startTestApi, type TestApi } from '../support/test-server';
import { clientAs, ownerSql, refusal as firstError, type OwnerSql } from '../support/tracker-api';

let api: TestApi;
let sql: OwnerSql;
let org: TestOrg;
let other: TestOrg;
let doneStateId: string;

const LIST = `query($u: Boolean) { notifications(unreadOnly: $u, first: 50) { totalCount unreadCount edges { node { id kind readAt createdAt issue { key } actor { id } } } } }`;
const MARK = `mutation($ids: [ID!], $all: Boolean) { markNotificationsRead(ids: $ids, all: $all) }`;

type Row = { id: string; kind: string; readAt: string | null; issue: { key: string }; actor: { id: string } };
interface Listed {
  readonly totalCount: number;
  readonly unreadCount: number;
  readonly rows: Row[];
}
async function listOf(o: TestOrg, role: 'OWNER' | 'ADMIN' | 'MEMBER' | 'VIEWER', unreadOnly = false): Promise<Listed> {
  const data = await clientAs(api, o, role).ok(LIST, { u: unreadOnly });
  const { totalCount, unreadCount, edges } = data.notifications;
  return { totalCount, unreadCount, rows: edges.map((e: { node: Row }) => e.node) };
}
const kindsFor = async (o: TestOrg, role: 'OWNER' | 'ADMIN' | 'MEMBER' | 'VIEWER', key: string) =>
  (await listOf(o, role)).rows.filter((row) => row.issue.key === key).map((row) => row.kind).sort();

beforeAll(async () => {
  api = await startTestApi('notifications');
  sql = ownerSql(api);
  org = await createOrg(api.client, 'notify');
  other = await createOrg(api.client, 'notify-other');
  const project = await createProject(api.client, org, 'NOTE');
  await createProject(api.client, other, 'NOTX');
  doneStateId = project.workflow[1]!.id;
});
afterAll(async () => {
  await sql?.end();
  await api?.stop();
});

test('assigning notifies the assignee (ASSIGNED), at creation and on update, never the actor', async () => {
  const created = await createIssue(api.client, org, { projectKey: 'NOTE', title: 'assign at creation', assigneeId: org.users.MEMBER.id });
  expect(await kindsFor(org, 'MEMBER', created.key)).toEqual(['ASSIGNED']);
  const later = await createIssue(api.client, org, { projectKey: 'NOTE', title: 'assign later' });
  await clientAs(api, org, 'OWNER').ok(`mutation($k: String!, $a: ID) { updateIssue(key: $k, input: { assigneeId: $a }) { key } }`, { k: later.key, a: org.users.ADMIN.id });
  expect(await kindsFor(org, 'ADMIN', later.key)).toEqual(['ASSIGNED']);
  const own = await createIssue(api.client, org, { projectKey: 'NOTE', title: 'assign myself', assigneeId: org.owner.id });
  expect(await kindsFor(org, 'OWNER', own.key)).toEqual([]);
  const actor = (await listOf(org, 'ADMIN')).rows.find((row) => row.issue.key === later.key)!.actor.id;
  expect(actor).toBe(org.owner.id);
});

test('a mention in a description or a comment notifies the member (MENTIONED); Comment.mentions lists members only', async () => {
  const issue = await createIssue(api.client, org, { projectKey: 'NOTE', title: 'mention in description', description: `please look <@${org.users.VIEWER.id}>` });
  expect(await kindsFor(org, 'VIEWER', issue.key)).toEqual(['MENTIONED']);
  const body = `<@${org.users.ADMIN.id}> and <@${org.users.ADMIN.id}> again, me <@${org.owner.id}>, an outsider <@${other.owner.id}>, nobody <@${toGlobalId('User', randomUUID())}>, junk <@!!> <@${toGlobalId('Issue', randomUUID())}>`;
  const comment = await clientAs(api, org, 'OWNER').ok(`mutation($k: String!, $b: String!) { addComment(issueKey: $k, body: $b) { id mentions { id } } }`, { k: issue.key, b: body });
  expect(comment.addComment.mentions).toEqual([{ id: org.users.ADMIN.id }, { id: org.owner.id }]);
  expect(await kindsFor(org, 'ADMIN', issue.key)).toEqual(['MENTIONED']);
  expect(await kindsFor(org, 'OWNER', issue.key)).toEqual([]);
  // The outsider has nothing anywhere, and no row names them.
  expect((await listOf(other, 'OWNER')).totalCount).toBe(0);
  const outsiderRow = (await sql.query<{ id: string }>(`SELECT id FROM users WHERE email = $1`, [other.owner.email]))[0]!.id;
  expect(await sql.count('notifications', 'user_id = $1', [outsiderRow])).toBe(0);
  // Editing: only mentions that are new notify again.
  await clientAs(api, org, 'OWNER').ok(`mutation($id: ID!, $b: String!) { updateComment(id: $id, body: $b) { id } }`, { id: comment.addComment.id, b: `${body} and <@${org.users.MEMBER.id}>` });
  expect(await kindsFor(org, 'ADMIN', issue.key)).toEqual(['MENTIONED']);
  expect(await kindsFor(org, 'MEMBER', issue.key)).toEqual(['MENTIONED']);
});

test('bulk changes notify like single ones: assignees get ASSIGNED, watchers TRANSITIONED', async () => {
  const owner = clientAs(api, org, 'OWNER');
  const keys = [];
  for (const title of ['bulk one', 'bulk two']) keys.push((await createIssue(api.client, org, { projectKey: 'NOTE', title })).key);
  await clientAs(api, org, 'VIEWER').ok(`mutation($k: String!) { watchIssue(key: $k) { id } }`, { k: keys[1] });
  await owner.ok(`mutation($keys: [String!]!, $input: UpdateIssueInput!) { updateIssues(keys: $keys, input: $input) { issues { key } } }`, { keys, input: { assigneeId: org.users.MEMBER.id } });
  await owner.ok(`mutation($keys: [String!]!, $to: ID!) { transitionIssues(keys: $keys, toStateId: $to) { issues { key } } }`, { keys, to: doneStateId });
  expect([await kindsFor(org, 'MEMBER', keys[0]!), await kindsFor(org, 'MEMBER', keys[1]!)]).toEqual([['ASSIGNED'], ['ASSIGNED']]);
  expect([await kindsFor(org, 'VIEWER', keys[0]!), await kindsFor(org, 'VIEWER', keys[1]!)]).toEqual([[], ['TRANSITIONED']]);
});

test('a refused change writes no notification', async () => {
  const refused = await clientAs(api, org, 'OWNER').request(`mutation($input: CreateIssueInput!) { createIssue(input: $input) { key } }`, {
    input: { projectKey: 'NOTE', title: 'refused', assigneeId: org.users.MEMBER.id, description: `<@${org.users.VIEWER.id}>`, sprintId: toGlobalId('Sprint', randomUUID()) },
  });
  expect(firstError(refused).code).toBe('NOT_FOUND');
  expect(await sql.count('notifications n JOIN issues i ON i.id = n.issue_id', `i.title = 'refused'`)).toBe(0);
  expect(await sql.count('issues', `title = 'refused'`)).toBe(0);
});

test('mentioning a non-member or a made-up id answers exactly like no mention', async () => {
  const owner = clientAs(api, org, 'OWNER');
  const issue = await createIssue(api.client, org, { projectKey: 'NOTE', title: 'oracle' });
  const shape = async (b: string) => {
    const r = await owner.request(`mutation($k: String!, $b: String!) { addComment(issueKey: $k, body: $b) { mentions { id } } }`, { k: issue.key, b });
    return { data: r.data, errors: r.errors };
  };
  const outsider = await insertUser(api, 'outsider');
  const answers = [await shape('plain'), await shape(`<@${outsider.id}>`), await shape(`<@${toGlobalId('User', randomUUID())}>`), await shape(`<@${other.owner.id}>`)];
  for (const answer of answers) expect(answer).toEqual({ data: { addComment: { mentions: [] } }, errors: undefined });
  expect(await sql.count('notifications n JOIN issues i ON i.id = n.issue_id', 'i.title = $1', ['oracle'])).toBe(0);
});

test('watchers get COMMENTED and TRANSITIONED, not the actor; a mentioned watcher gets MENTIONED once', async () => {
  const issue = await createIssue(api.client, org, { projectKey: 'NOTE', title: 'watched' });
  for (const role of ['VIEWER', 'MEMBER', 'OWNER'] as const) await clientAs(api, org, role).ok(`mutation($k: String!) { watchIssue(key: $k) { id } }`, { k: issue.key });
  await clientAs(api, org, 'OWNER').ok(`mutation($k: String!, $b: String!) { addComment(issueKey: $k, body: $b) { id } }`, { k: issue.key, b: `hi <@${org.users.MEMBER.id}>` });
  expect(await kindsFor(org, 'VIEWER', issue.key)).toEqual(['COMMENTED']);
  expect(await kindsFor(org, 'MEMBER', issue.key)).toEqual(['MENTIONED']);
  expect(await kindsFor(org, 'OWNER', issue.key)).toEqual([]);
  await clientAs(api, org, 'MEMBER').ok(`mutation($k: String!, $to: ID!) { transitionIssue(key: $k, toStateId: $to) { key } }`, { k: issue.key, to: doneStateId });
  expect(await kindsFor(org, 'VIEWER', issue.key)).toEqual(['COMMENTED', 'TRANSITIONED']);
  expect(await kindsFor(org, 'OWNER', issue.key)).toEqual(['TRANSITIONED']);
  expect(await kindsFor(org, 'MEMBER', issue.key)).toEqual(['MENTIONED']);
});

test('unreadCount, unreadOnly and markNotificationsRead change only the viewer\'s own', async () => {
  const viewer = clientAs(api, org, 'VIEWER');
  const before = await listOf(org, 'VIEWER');
  expect(before.unreadCount).toBeGreaterThanOrEqual(2);
  expect(before.unreadCount).toBe(before.rows.filter((row) => row.readAt === null).length);
  const adminIds = (await listOf(org, 'ADMIN')).rows.map((row) => row.id);
  // Another user's ids and another tenant's (well-formed) ids change nothing.
  expect((await viewer.ok(MARK, { ids: adminIds })).markNotificationsRead).toBe(0);
  expect((await clientAs(api, other, 'OWNER').ok(MARK, { ids: before.rows.map((row) => row.id) })).markNotificationsRead).toBe(0);
  expect((await listOf(org, 'ADMIN')).unreadCount).toBe(adminIds.length);
  const one = before.rows[0]!.id;
  expect((await viewer.ok(MARK, { ids: [one, one] })).markNotificationsRead).toBe(1);
  expect((await viewer.ok(MARK, { ids: [one] })).markNotificationsRead).toBe(0);
  const after = await listOf(org, 'VIEWER');
  expect(after.unreadCount).toBe(before.unreadCount - 1);
  expect(after.rows.find((row) => row.id === one)!.readAt).not.toBeNull();
  expect((await listOf(org, 'VIEWER', true)).rows.map((row) => row.id)).not.toContain(one);
  expect((await viewer.ok(MARK, { all: true })).markNotificationsRead).toBe(before.unreadCount - 1);
  expect((await listOf(org, 'VIEWER')).unreadCount).toBe(0);
  expect((await listOf(org, 'ADMIN')).unreadCount).toBe(adminIds.length);
});

test('bad input to markNotificationsRead is refused and changes nothing', async () => {
  const member = clientAs(api, org, 'MEMBER');
  const unread = (await listOf(org, 'MEMBER')).unreadCount;
  expect(firstError(await member.request(MARK, {}))).toMatchObject({ code: 'BAD_USER_INPUT' });
  expect(firstError(await member.request(MARK, { ids: ['not an id'] }))).toMatchObject({ code: 'BAD_USER_INPUT' });
  // A well-formed id of another type is simply not found, as everywhere.
  expect(firstError(await member.request(MARK, { ids: [toGlobalId('Issue', randomUUID())] }))).toMatchObject({ code: 'NOT_FOUND' });
  const many = Array.from({ length: 101 }, () => toGlobalId('Notification', randomUUID()));
  expect(firstError(await member.request(MARK, { ids: many }))).toMatchObject({ code: 'BAD_USER_INPUT' });
  expect((await listOf(org, 'MEMBER')).unreadCount).toBe(unread);
});

test('a removed member gets no notification after removal, and cannot list', async () => {
  const leaving = await addQuickMember(api, org, 'MEMBER', 'leaving');
  const issue = await createIssue(api.client, org, { projectKey: 'NOTE', title: 'left behind' });
  await api.client.ok(`mutation($k: String!) { watchIssue(key: $k) { id } }`, { k: issue.key }, { token: leaving.token, orgId: org.id });
  await clientAs(api, org, 'OWNER').ok(`mutation($id: ID!) { removeMember(userId: $id) }`, { id: leaving.id });
  await clientAs(api, org, 'OWNER').ok(`mutation($k: String!, $b: String!) { addComment(issueKey: $k, body: $b) { mentions { id } } }`, { k: issue.key, b: `still there <@${leaving.id}>?` });
  await clientAs(api, org, 'ADMIN').ok(`mutation($k: String!, $to: ID!) { transitionIssue(key: $k, toStateId: $to) { key } }`, { k: issue.key, to: doneStateId });
  const row = (await sql.query<{ id: string }>(`SELECT id FROM users WHERE email = $1`, [leaving.email]))[0]!.id;
  expect(await sql.count('notifications', 'user_id = $1', [row])).toBe(0);
  const refused = await api.client.request(LIST, {}, { token: leaving.token, orgId: org.id });
  expect(refused.data ?? null).toBeNull();
  expect(firstError(refused)?.code).toMatch(/FORBIDDEN|NOT_FOUND|UNAUTHENTICATED/);
});
