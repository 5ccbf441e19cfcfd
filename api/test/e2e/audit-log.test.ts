// The organization's audit log over HTTP: what writes it, that a refused change writes nothing,
// who may read it, its filters, and paging in both directions.
import { startTestApi, type TestApi } from '../support/test-server';
import { createOrg, createProject, joinByInvitation, signUp, type TestOrg } from '../support/fixtures';
import { clientAs, ownerSql, refusal, type OwnerSql, type RoleClient } from '../support/tracker-api';
import { addQuickMember } from '../support/quick-members';

let api: TestApi;
let org: TestOrg;
let owner: RoleClient;
let sql: OwnerSql;

const LOG = `query($action: String, $actorId: ID, $since: DateTime, $first: Int, $after: String, $last: Int, $before: String) {
  auditLog(action: $action, actorId: $actorId, since: $since, first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { cursor node { id at action targetId data actor { id } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  } }`;

type Entry = { id: string; at: string; action: string; targetId: string | null; data: any; actor: { id: string } | null };
const entries = async (variables: Record<string, unknown> = {}, as: RoleClient = owner) => (await as.ok(LOG, { first: 100, ...variables })).auditLog.edges.map((e: { node: Entry }) => e.node) as Entry[];

beforeAll(async () => {
  api = await startTestApi('audit', { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_WORKER_CONCURRENCY: '0' });
  org = await createOrg(api.client, 'aud');
  owner = clientAs(api, org, 'OWNER');
  sql = ownerSql(api);
});
afterAll(async () => {
  await sql?.end();
  await api?.stop();
});

test('administrative writes are logged with actor, target and details, newest first', async () => {
  const member = await addQuickMember(api, org, 'MEMBER', 'audited');
  const since = new Date().toISOString();
  const project = await createProject(api.client, org, 'AUD');
  await owner.ok(`mutation { updateProject(key: "AUD", input: { name: "Audited" }) { key } }`);
  const hook = (await owner.ok(`mutation { createWebhook(projectKey: "AUD", url: "http://127.0.0.1:9/h", events: ["*"]) { webhook { id } } }`)).createWebhook.webhook.id;
  await owner.ok(`mutation($id: ID!) { deleteWebhook(id: $id) }`, { id: hook });
  await owner.ok(`mutation($u: ID!) { updateMemberRole(userId: $u, role: ADMIN) { role } }`, { u: member.id });
  await owner.ok(`mutation($id: ID!) { setWorkflowTransitions(fromStateId: $id, toStateIds: []) { id } }`, { id: project.workflow[3]!.id });
  await owner.ok(`mutation($u: ID!) { removeMember(userId: $u) }`, { u: member.id });
  await owner.ok(`mutation { archiveProject(key: "AUD") { key } }`);
  await owner.ok(`mutation { unarchiveProject(key: "AUD") { key } }`);
  await owner.ok(`mutation { deleteProject(key: "AUD", confirmKey: "AUD") }`);

  const log = await entries({ since });
  expect(log.map((entry) => entry.action)).toEqual([
    'project.deleted',
    'project.unarchived',
    'project.archived',
    'member.removed',
    'workflow.changed',
    'member.role_changed',
    'webhook.deleted',
    'webhook.created',
    'project.updated',
    'project.created',
  ]);
  expect(log.every((entry) => entry.actor?.id === org.owner.id)).toBe(true);
  const byAction = Object.fromEntries(log.map((entry) => [entry.action, entry]));
  expect(byAction['project.created']).toMatchObject({ targetId: project.id, data: { key: 'AUD' } });
  expect(byAction['member.role_changed']).toMatchObject({ targetId: member.id, data: { from: 'MEMBER', to: 'ADMIN' } });
  expect(byAction['member.removed']).toMatchObject({ targetId: member.id, data: { role: 'ADMIN', left: false } });
  expect(byAction['webhook.deleted']).toMatchObject({ targetId: hook });
  expect(byAction['workflow.changed']).toMatchObject({ targetId: project.workflow[3]!.id, data: { project: 'AUD', change: 'transitions_set', to: [] } });
  expect(byAction['project.deleted']!.data).toEqual({ key: 'AUD', name: 'Audited' });
});

test('invitations are logged when sent, accepted and revoked, the acceptance as the new member', async () => {
  const since = new Date().toISOString();
  const joiner = await signUp(api.client, 'joiner');
  const invite = `mutation($e: String!) { inviteMember(email: $e, role: MEMBER) { token invitation { id } } }`;
  const sent = (await owner.ok(invite, { e: joiner.email })).inviteMember;
  await api.client.ok(`mutation($t: String!) { acceptInvitation(token: $t) { role } }`, { t: sent.token }, { token: joiner.token });
  const withdrawn = (await owner.ok(invite, { e: 'later@example.com' })).inviteMember.invitation.id;
  await owner.ok(`mutation($id: ID!) { revokeInvitation(id: $id) }`, { id: withdrawn });
  const log = await entries({ since });
  expect(log.map((entry) => [entry.action, entry.actor?.id, entry.targetId])).toEqual([
    ['invitation.revoked', org.owner.id, withdrawn],
    ['member.invited', org.owner.id, withdrawn],
    ['member.joined', joiner.id, sent.invitation.id],
    ['member.invited', org.owner.id, sent.invitation.id],
  ]);
  expect(log[3]!.data).toEqual({ email: joiner.email, role: 'MEMBER' });
});

test('an API token made or revoked is logged in every organization of its owner, and in no other', async () => {
  const other = await createOrg(api.client, 'aud2');
  const stranger = await createOrg(api.client, 'aud3');
  await joinByInvitation(api.client, other, org.owner, 'MEMBER');
  const since = new Date().toISOString();
  const made = await api.client.ok(`mutation { createApiToken(name: "ci token") { apiToken { id } } }`, {}, { token: org.owner.token });
  const id = made.createApiToken.apiToken.id;
  await api.client.ok(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id }, { token: org.owner.token });
  const tokenEntries = async (who: TestOrg) =>
    (await clientAs(api, who, 'OWNER').ok(LOG, { since, first: 100 })).auditLog.edges.map((e: { node: Entry }) => [e.node.action, e.node.targetId, e.node.actor?.id]);
  expect(await tokenEntries(org)).toEqual([
    ['token.revoked', id, org.owner.id],
    ['token.created', id, org.owner.id],
  ]);
  // A member of `other` too: its admins see the same; `stranger` sees nothing.
  expect(await tokenEntries(other)).toEqual(await tokenEntries(org));
  expect(await tokenEntries(stranger)).toEqual([]);
});

test('a refused or failed change writes no entry', async () => {
  await createProject(api.client, org, 'NOPE');
  const count = () => sql.count('audit_entries');
  const before = await count();
  expect(refusal(await owner.request(`mutation { deleteProject(key: "NOPE", confirmKey: "nope") }`)).code).toBe('BAD_USER_INPUT');
  expect(refusal(await clientAs(api, org, 'ADMIN').request(`mutation { deleteProject(key: "NOPE", confirmKey: "NOPE") }`)).code).toBe('FORBIDDEN');
  expect(refusal(await clientAs(api, org, 'MEMBER').request(`mutation { archiveProject(key: "NOPE") { key } }`)).code).toBe('FORBIDDEN');
  expect(refusal(await owner.request(`mutation { createWebhook(projectKey: "NOPE", url: "ftp://127.0.0.1/h", events: ["*"]) { webhook { id } } }`)).code).toBe('BAD_USER_INPUT');
  expect(await count()).toBe(before);
});

test('filters by action, actor and time select exactly the matching entries', async () => {
  const admin = clientAs(api, org, 'ADMIN');
  const since = new Date().toISOString();
  await createProject(api.client, org, 'FLT');
  await admin.ok(`mutation { archiveProject(key: "FLT") { key } }`);
  await owner.ok(`mutation { unarchiveProject(key: "FLT") { key } }`);
  expect((await entries({ since, action: 'project.archived' })).map((e) => [e.action, e.actor?.id])).toEqual([['project.archived', org.users.ADMIN.id]]);
  expect((await entries({ since, actorId: org.users.ADMIN.id })).map((e) => e.action)).toEqual(['project.archived']);
  expect((await entries({ since, actorId: org.owner.id })).map((e) => e.action)).toEqual(['project.unarchived', 'project.created']);
  expect(await entries({ since: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
  expect(await entries({ action: 'no.such.action' })).toEqual([]);
});

test('pages forward and backward over the same order, and refuses mixing directions', async () => {
  for (const key of ['PG1', 'PG2', 'PG3', 'PG4', 'PG5']) await createProject(api.client, org, key);
  const all = await entries({ action: 'project.created' });
  const page = (variables: Record<string, unknown>) => owner.ok(LOG, { action: 'project.created', first: null, ...variables }).then((data) => data.auditLog);

  const first = await page({ first: 2 });
  expect(first.edges.map((e: any) => e.node.id)).toEqual(all.slice(0, 2).map((e) => e.id));
  expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  const second = await page({ first: 2, after: first.pageInfo.endCursor });
  expect(second.edges.map((e: any) => e.node.id)).toEqual(all.slice(2, 4).map((e) => e.id));
  expect(second.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });

  // Backward from the end of the second page: the two entries before it, in the same order.
  const back = await page({ last: 2, before: second.pageInfo.endCursor });
  expect(back.edges.map((e: any) => e.node.id)).toEqual(all.slice(1, 3).map((e) => e.id));
  expect(back.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  const newest = await page({ last: 2, before: first.pageInfo.endCursor });
  expect(newest.edges.map((e: any) => e.node.id)).toEqual([all[0]!.id]);
  expect(newest.pageInfo.hasPreviousPage).toBe(false);
  const tail = await page({ last: 2 });
  expect(tail.edges.map((e: any) => e.node.id)).toEqual(all.slice(-2).map((e) => e.id));
  expect(tail.totalCount).toBe(all.length);

  expect(refusal(await owner.request(LOG, { first: 2, last: 2 }))).toEqual({ code: 'BAD_USER_INPUT', field: 'last' });
  expect(refusal(await owner.request(LOG, { first: null, last: 101 }))).toEqual({ code: 'BAD_USER_INPUT', field: 'last' });
  expect(refusal(await owner.request(LOG, { first: null, before: 'not-a-cursor' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'before' });
});

test('entries are nodes for ADMINs and invisible to MEMBERs; the log itself is ADMIN and up', async () => {
  const [entry] = await entries({ first: 1 });
  const node = `query($id: ID!) { node(id: $id) { id ... on AuditEntry { action } } }`;
  expect((await owner.ok(node, { id: entry!.id })).node).toEqual({ id: entry!.id, action: entry!.action });
  const member = clientAs(api, org, 'MEMBER');
  expect((await member.ok(node, { id: entry!.id })).node).toBeNull();
  expect(refusal(await member.request(LOG, {})).code).toBe('FORBIDDEN');
});
