// Membership needs the invited person's consent: an ADMIN invites an email (the same answer
// whether or not an account exists), the invite secret is shown once and stored as a digest,
// and only the signed-in user with that email can accept it, once, before it expires.
import { createHash, randomUUID } from 'node:crypto';
import { startTestApi, type TestApi } from '../support/test-server';
import { createOrg, uniqueSuffix, type TestOrg, type TestUser } from '../support/fixtures';
import { errorCode, type GraphqlResponse } from '../support/graphql-client';
import { snapshotTables, withOwner } from '../support/db-snapshot';
import { insertUser } from '../support/quick-members';
import { decodeGlobalId, toGlobalId } from '../../src/graphql/global-id';

let api: TestApi;
let org: TestOrg;

beforeAll(async () => {
  api = await startTestApi('invites');
  org = await createOrg(api.client, 'invites');
});

afterAll(() => api?.stop());

const INVITE = `mutation($e: String!, $r: Role!) {
  inviteMember(email: $e, role: $r) { token invitation { id email role createdAt expiresAt acceptedAt invitedBy { id } } }
}`;
const ACCEPT = `mutation($t: String!) { acceptInvitation(token: $t) { role joinedAt user { id email } } }`;
const REVOKE = `mutation($id: ID!) { revokeInvitation(id: $id) }`;
const LIST = `{ invitations { id email role } }`;

const asAdmin = () => ({ token: org.users.ADMIN.token, orgId: org.id });
const invite = (email: string, role = 'MEMBER', as = asAdmin()) => api.client.request(INVITE, { e: email, r: role }, as);
const accept = (token: string, user: TestUser) => api.client.request(ACCEPT, { t: token }, { token: user.token });
const seen = (response: GraphqlResponse) => ({ status: response.status, errors: response.errors });

function sql<T = any>(text: string, values: unknown[] = []): Promise<T[]> {
  return withOwner(api.database.ownerUrl, async (client) => (await client.query(text, values)).rows as T[]);
}

async function invited(email: string, role = 'MEMBER'): Promise<{ token: string; id: string }> {
  const response = await invite(email, role);
  expect(response.errors).toBeUndefined();
  return { token: response.data.inviteMember.token, id: response.data.inviteMember.invitation.id };
}

async function roleOf(user: TestUser): Promise<string | null> {
  const rows = await sql(`SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2`, [decodeGlobalId(org.id, 'id').rowId, decodeGlobalId(user.id, 'id').rowId]);
  return rows[0]?.role ?? null;
}

test('addMember is gone: an account can no longer be added without its consent', async () => {
  const stranger = await insertUser(api, 'stranger');
  const response = await api.client.request(`mutation($e: String!) { addMember(email: $e, role: MEMBER) { role } }`, { e: stranger.email }, asAdmin());
  expect(errorCode(response)).toBe('GRAPHQL_VALIDATION_FAILED');
  expect(await roleOf(stranger)).toBeNull();
});

test('inviteMember answers the same whether or not an account exists, and discloses nothing of it', async () => {
  const existing = await insertUser(api, 'existing');
  const unknown = `nobody-${uniqueSuffix()}@example.com`;
  const [a, b] = [await invite(existing.email), await invite(unknown)];
  expect(a.errors).toBeUndefined();
  expect(b.errors).toBeUndefined();
  const shape = (response: GraphqlResponse) => {
    const { token, invitation } = response.data!.inviteMember as any;
    return { status: response.status, tokenLength: token.length, role: invitation.role, acceptedAt: invitation.acceptedAt, invitedBy: invitation.invitedBy, keys: Object.keys(invitation) };
  };
  expect(shape(a)).toEqual(shape(b));
  expect(JSON.stringify(a.data)).not.toContain(existing.id);
  expect(JSON.stringify(a.data)).not.toContain(decodeGlobalId(existing.id, 'id').rowId);
  expect((a.data as any).inviteMember.invitation.email).toBe(existing.email);
  // The invitation is pending, not a membership.
  expect(await roleOf(existing)).toBeNull();
});

test('the invite secret is shown once and stored only as a digest, with an expiry a week out', async () => {
  const { token, id } = await invited(`digest-${uniqueSuffix()}@example.com`);
  const rows = await sql(`SELECT row_to_json(i)::text AS row, token_hash, extract(epoch FROM expires_at - created_at)::int AS ttl FROM invitations i WHERE id = $1`, [decodeGlobalId(id, 'id').rowId]);
  expect(rows[0].token_hash).toBe(createHash('sha256').update(token).digest('hex'));
  expect(rows[0].row).not.toContain(token);
  expect(rows[0].ttl).toBe(7 * 24 * 3600);
  const listed = await api.client.ok(LIST, {}, asAdmin());
  expect(JSON.stringify(listed)).not.toContain(token);
});

test('the invited user accepts with a matching email, joins with the role, and the token works once', async () => {
  const invitee = await insertUser(api, 'invitee');
  const { token } = await invited(invitee.email.toUpperCase(), 'VIEWER');
  const accepted = await accept(token, invitee);
  expect(accepted.errors).toBeUndefined();
  expect(accepted.data.acceptInvitation).toMatchObject({ role: 'VIEWER', user: { id: invitee.id, email: invitee.email } });
  expect(await roleOf(invitee)).toBe('VIEWER');
  expect((await api.client.ok(`{ organization { viewerRole } }`, {}, { token: invitee.token, orgId: org.id })).organization.viewerRole).toBe('VIEWER');
  const again = await accept(token, invitee);
  expect(errorCode(again)).toBe('NOT_FOUND');
  const row = await sql(`SELECT accepted_at FROM invitations WHERE token_hash = $1`, [createHash('sha256').update(token).digest('hex')]);
  expect(row[0].accepted_at).not.toBeNull();
});

test("someone else signed in cannot accept, and the answer is that of a token that does not exist", async () => {
  const invitee = await insertUser(api, 'rightful');
  const other = await insertUser(api, 'other');
  const { token } = await invited(invitee.email);
  const before = await snapshotTables(api.database.ownerUrl);
  const wrongUser = await accept(token, other);
  const noSuchToken = await accept(`${token.slice(0, -4)}AAAA`, other);
  expect(errorCode(wrongUser)).toBe('NOT_FOUND');
  expect(seen(wrongUser)).toEqual(seen(noSuchToken));
  expect(await snapshotTables(api.database.ownerUrl)).toEqual(before);
  expect(await roleOf(other)).toBeNull();
  // The rightful user still can.
  expect((await accept(token, invitee)).errors).toBeUndefined();
});

test('accepting needs a signed-in user; garbage tokens are NOT_FOUND, not errors', async () => {
  const { token } = await invited(`anon-${uniqueSuffix()}@example.com`);
  expect(errorCode(await api.client.request(ACCEPT, { t: token }))).toBe('UNAUTHENTICATED');
  const user = await insertUser(api, 'garbage');
  for (const garbage of ['', 'x', 'inv_', 'inv_!!!!', 'a'.repeat(5000)]) {
    expect({ garbage: garbage.slice(0, 10), code: errorCode(await accept(garbage, user)) }).toEqual({ garbage: garbage.slice(0, 10), code: 'NOT_FOUND' });
  }
});

test('an expired invitation cannot be accepted and is no longer listed', async () => {
  const invitee = await insertUser(api, 'late');
  const { token, id } = await invited(invitee.email);
  await sql(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [decodeGlobalId(id, 'id').rowId]);
  expect(errorCode(await accept(token, invitee))).toBe('NOT_FOUND');
  expect(await roleOf(invitee)).toBeNull();
  expect((await api.client.ok(LIST, {}, asAdmin())).invitations.map((i: { id: string }) => i.id)).not.toContain(id);
});

test('a revoked invitation cannot be accepted; revoking it again is NOT_FOUND', async () => {
  const invitee = await insertUser(api, 'revoked');
  const { token, id } = await invited(invitee.email);
  expect((await api.client.request(REVOKE, { id }, asAdmin())).data).toEqual({ revokeInvitation: true });
  expect(errorCode(await accept(token, invitee))).toBe('NOT_FOUND');
  expect(errorCode(await api.client.request(REVOKE, { id }, asAdmin()))).toBe('NOT_FOUND');
  expect(await roleOf(invitee)).toBeNull();
});

test('invitations lists the pending invitations only, for ADMIN and up', async () => {
  const pendingEmail = `pending-${uniqueSuffix()}@example.com`;
  const pending = await invited(pendingEmail);
  const joiner = await insertUser(api, 'joiner');
  const joined = await invited(joiner.email);
  await accept(joined.token, joiner);
  const list = (await api.client.ok(LIST, {}, asAdmin())).invitations as { id: string; email: string; role: string }[];
  expect(list).toContainEqual({ id: pending.id, email: pendingEmail, role: 'MEMBER' });
  expect(list.map((i) => i.id)).not.toContain(joined.id);
  for (const role of ['MEMBER', 'VIEWER'] as const) {
    const response = await api.client.request(LIST, {}, { token: org.users[role].token, orgId: org.id });
    expect(errorCode(response)).toBe('FORBIDDEN');
  }
});

test('inviting the same email again replaces the pending invitation: the old link stops working', async () => {
  const invitee = await insertUser(api, 'twice');
  const first = await invited(invitee.email);
  const second = await invited(invitee.email, 'ADMIN');
  const ids = (await api.client.ok(LIST, {}, asAdmin())).invitations.filter((i: { email: string }) => i.email === invitee.email).map((i: { id: string }) => i.id);
  expect(ids).toEqual([second.id]);
  expect(errorCode(await accept(first.token, invitee))).toBe('NOT_FOUND');
  expect((await accept(second.token, invitee)).data.acceptInvitation.role).toBe('ADMIN');
});

test('inviting a current member is a CONFLICT (members already see each other), and writes nothing', async () => {
  const before = await snapshotTables(api.database.ownerUrl);
  const response = await invite(org.users.VIEWER.email.toUpperCase(), 'ADMIN');
  expect(errorCode(response)).toBe('CONFLICT');
  expect(response.errors![0]!.extensions!.field).toBe('email');
  expect(await snapshotTables(api.database.ownerUrl)).toEqual(before);
});

test('an ADMIN cannot invite an OWNER; an OWNER can, and a malformed email is BAD_USER_INPUT', async () => {
  const email = `owner-${uniqueSuffix()}@example.com`;
  const refused = await invite(email, 'OWNER');
  expect(errorCode(refused)).toBe('FORBIDDEN');
  expect(refused.status).toBe(403);
  expect((await invite(email, 'OWNER', { token: org.owner.token, orgId: org.id })).errors).toBeUndefined();
  const bad = await invite('not an email');
  expect(errorCode(bad)).toBe('BAD_USER_INPUT');
  expect(bad.errors![0]!.extensions!.field).toBe('email');
});

test('an invitation resolves through node(id:) for ADMIN and up in its own organization only', async () => {
  const { id } = await invited(`node-${uniqueSuffix()}@example.com`);
  const NODE = `query($id: ID!) { node(id: $id) { __typename ... on Invitation { id email } } }`;
  expect((await api.client.ok(NODE, { id }, asAdmin())).node).toMatchObject({ __typename: 'Invitation', id });
  expect((await api.client.ok(NODE, { id }, { token: org.users.MEMBER.token, orgId: org.id })).node).toBeNull();
  const other = await createOrg(api.client, 'elsewhere');
  expect((await api.client.ok(NODE, { id }, { token: other.owner.token, orgId: other.id })).node).toBeNull();
  expect(errorCode(await api.client.request(REVOKE, { id }, { token: other.owner.token, orgId: other.id }))).toBe('NOT_FOUND');
});

test("inviting into an organization one is not a member of is FORBIDDEN, exactly as for one that does not exist", async () => {
  const other = await createOrg(api.client, 'foreign');
  const before = await snapshotTables(api.database.ownerUrl);
  const into = await invite(`x-${uniqueSuffix()}@example.com`, 'MEMBER', { token: org.owner.token, orgId: other.id });
  const nowhere = await invite(`x-${uniqueSuffix()}@example.com`, 'MEMBER', { token: org.owner.token, orgId: toGlobalId('Organization', randomUUID()) });
  expect(errorCode(into)).toBe('FORBIDDEN');
  expect(seen(into)).toEqual(seen(nowhere));
  expect(await snapshotTables(api.database.ownerUrl)).toEqual(before);
});

test('of several acceptances of one token at once, exactly one joins', async () => {
  const invitee = await insertUser(api, 'racer');
  const { token } = await invited(invitee.email);
  const results = await Promise.all(Array.from({ length: 5 }, () => accept(token, invitee)));
  const codes = results.map((result) => errorCode(result) ?? 'ok').sort();
  expect(codes).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'ok']);
  expect(await roleOf(invitee)).toBe('MEMBER');
});

test('invitations to the same email sent at once leave exactly one pending', async () => {
  const email = `burst-${uniqueSuffix()}@example.com`;
  const results = await Promise.all(Array.from({ length: 5 }, () => invite(email)));
  expect(results.map((result) => result.errors)).toEqual(Array(5).fill(undefined));
  const pending = (await api.client.ok(LIST, {}, asAdmin())).invitations.filter((i: { email: string }) => i.email === email);
  expect(pending).toHaveLength(1);
});
