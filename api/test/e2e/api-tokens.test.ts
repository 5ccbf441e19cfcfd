// API tokens for scripts: `trk_` + 30 base62 + a 6-character base62 CRC32, shown once,
// stored as a SHA-256 digest, usable as a Bearer token until revoked or expired (90 days by
// default, 366 at most), minted only from a log-in session, listed to their owner, and
// touching lastUsedAt at most once a minute.
import { createHash } from 'node:crypto';
import { getNamedType, isObjectType } from 'graphql';
import { startTestApi, type TestApi } from '../support/test-server';
import { createOrg, PASSWORD, signUp, type TestOrg } from '../support/fixtures';
import { errorCode } from '../support/graphql-client';
import { withOwner } from '../support/db-snapshot';
import { buildAppSchema } from '../../src/graphql-server/schema';
import { decodeGlobalId } from '../../src/graphql/global-id';

let api: TestApi;
let org: TestOrg;

beforeAll(async () => {
  api = await startTestApi('apitokens');
  org = await createOrg(api.client, 'apitok');
});

afterAll(() => api?.stop());

const CREATE = `mutation($n: String!, $e: DateTime) { createApiToken(name: $n, expiresAt: $e) { token apiToken { id name lastUsedAt expiresAt } } }`;
const VIEWER = `{ viewer { id } }`;
const DAY_MS = 24 * 60 * 60 * 1000;

async function create(name: string, expiresAt?: string): Promise<{ token: string; id: string; rowId: string }> {
  const data = await api.client.ok(CREATE, { n: name, e: expiresAt ?? null }, { token: org.users.MEMBER.token });
  const id = data.createApiToken.apiToken.id;
  return { token: data.createApiToken.token, id, rowId: decodeGlobalId(id, 'id').rowId };
}

function sql<T = any>(text: string, values: unknown[] = []): Promise<T[]> {
  return withOwner(api.database.ownerUrl, async (client) => (await client.query(text, values)).rows as T[]);
}

async function lastUsedAt(rowId: string): Promise<Date | null> {
  return (await sql<{ last_used_at: Date | null }>(`SELECT last_used_at FROM api_tokens WHERE id = $1`, [rowId]))[0]!.last_used_at;
}

/** Polls until the best-effort write after a request lands; jest's timeout bounds the wait. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('the secret is shown once, at creation, and only its digest is stored', async () => {
  const { token, rowId } = await create('ci');
  expect(token).toMatch(/^trk_[0-9A-Za-z]{36}$/);
  const rows = await sql(`SELECT row_to_json(t)::text AS row, token_hash FROM api_tokens t WHERE id = $1`, [rowId]);
  expect(rows[0].token_hash).toBe(createHash('sha256').update(token).digest('hex'));
  expect(rows[0].row).not.toContain(token.slice(4));
  const apiTokenType = buildAppSchema().getType('ApiToken');
  expect(isObjectType(apiTokenType) && Object.keys(apiTokenType.getFields()).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name']);
  expect(getNamedType(buildAppSchema().getMutationType()!.getFields().createApiToken!.type).toString()).toBe('CreatedApiToken');
});

test('an API token works as a Bearer token, for the viewer and inside an organization', async () => {
  const { token } = await create('script');
  expect((await api.client.ok(VIEWER, {}, { token })).viewer.id).toBe(org.users.MEMBER.id);
  const data = await api.client.ok(`{ organization { viewerRole } }`, {}, { token, orgId: org.id });
  expect(data.organization.viewerRole).toBe('MEMBER');
});

test('a token with a one-character typo fails its checksum and is UNAUTHENTICATED', async () => {
  const { token } = await create('typo');
  const position = 10;
  const typo = token.slice(0, position) + (token[position] === 'a' ? 'b' : 'a') + token.slice(position + 1);
  for (const bad of [typo, token.slice(0, -1), `${token}x`, token.replace('trk_', 'trx_')]) {
    const response = await api.client.request(VIEWER, {}, { token: bad });
    expect({ bad, code: errorCode(response), status: response.status }).toEqual({ bad, code: 'UNAUTHENTICATED', status: 401 });
  }
});

test('a revoked token is UNAUTHENTICATED, and revoking it again is NOT_FOUND', async () => {
  const { token, id } = await create('revoke-me');
  expect((await api.client.ok(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id }, { token: org.users.MEMBER.token })).revokeApiToken).toBe(true);
  expect(errorCode(await api.client.request(VIEWER, {}, { token }))).toBe('UNAUTHENTICATED');
  const again = await api.client.request(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id }, { token: org.users.MEMBER.token });
  expect(errorCode(again)).toBe('NOT_FOUND');
});

test("only the token's owner can revoke it", async () => {
  const { token, id } = await create('mine');
  const response = await api.client.request(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id }, { token: org.owner.token });
  expect(errorCode(response)).toBe('NOT_FOUND');
  expect((await api.client.ok(VIEWER, {}, { token })).viewer.id).toBe(org.users.MEMBER.id);
});

test('an expired token is UNAUTHENTICATED, and a token cannot be created already expired', async () => {
  const { token, rowId } = await create('short-lived', new Date(Date.now() + 3_600_000).toISOString());
  expect((await api.client.ok(VIEWER, {}, { token })).viewer.id).toBe(org.users.MEMBER.id);
  await sql(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [rowId]);
  expect(errorCode(await api.client.request(VIEWER, {}, { token }))).toBe('UNAUTHENTICATED');
  const past = await api.client.request(CREATE, { n: 'stale', e: new Date(Date.now() - 1000).toISOString() }, { token: org.users.MEMBER.token });
  expect(errorCode(past)).toBe('BAD_USER_INPUT');
  expect(past.errors![0]!.extensions!.field).toBe('expiresAt');
});

test('lastUsedAt is set on first use, then refreshed at most once a minute', async () => {
  const { token, rowId } = await create('throttled');
  expect(await lastUsedAt(rowId)).toBeNull();
  await api.client.ok(VIEWER, {}, { token });
  const first = (await eventually(() => lastUsedAt(rowId), (value) => value !== null))!;
  for (let i = 0; i < 5; i++) await api.client.ok(VIEWER, {}, { token });
  // Room for a refresh these uses should not have made (only a wrong one could land late).
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(await lastUsedAt(rowId)).toEqual(first);
  // A minute later (simulated), the next use moves it forward again.
  await sql(`UPDATE api_tokens SET last_used_at = last_used_at - interval '61 seconds' WHERE id = $1`, [rowId]);
  const aged = (await lastUsedAt(rowId))!;
  await api.client.ok(VIEWER, {}, { token });
  const next = (await eventually(() => lastUsedAt(rowId), (value) => value!.getTime() !== aged.getTime()))!;
  expect(next.getTime()).toBeGreaterThan(first.getTime() - 1);
});

// A leaked credential must not become permanent, hidden access (issue 16, item 8).

test('an API token cannot create another API token, and the refusal writes nothing', async () => {
  const { token } = await create('parent');
  const before = await sql(`SELECT count(*)::int AS n FROM api_tokens`);
  const response = await api.client.request(CREATE, { n: 'child', e: null }, { token });
  expect(errorCode(response)).toBe('FORBIDDEN');
  expect(response.status).toBe(403);
  expect(await sql(`SELECT count(*)::int AS n FROM api_tokens`)).toEqual(before);
  // A log-in session (an access token from logIn) still can.
  const session = await api.client.ok(`mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken } }`, { e: org.users.VIEWER.email, p: PASSWORD });
  expect((await api.client.request(CREATE, { n: 'from a session', e: null }, { token: session.logIn.accessToken })).errors).toBeUndefined();
});

test('expiresAt defaults to 90 days and may be at most 366 days away', async () => {
  const started = Date.now();
  const data = await api.client.ok(CREATE, { n: 'default expiry', e: null }, { token: org.users.MEMBER.token });
  const expiresAt = new Date(data.createApiToken.apiToken.expiresAt).getTime();
  expect(expiresAt).toBeGreaterThanOrEqual(started + 90 * DAY_MS);
  expect(expiresAt).toBeLessThanOrEqual(Date.now() + 90 * DAY_MS);
  const atCap = await api.client.request(CREATE, { n: 'a year', e: new Date(Date.now() + 366 * DAY_MS - 60_000).toISOString() }, { token: org.users.MEMBER.token });
  expect(atCap.errors).toBeUndefined();
  const before = await sql(`SELECT count(*)::int AS n FROM api_tokens`);
  const beyond = await api.client.request(CREATE, { n: 'forever', e: new Date(Date.now() + 367 * DAY_MS).toISOString() }, { token: org.users.MEMBER.token });
  expect(errorCode(beyond)).toBe('BAD_USER_INPUT');
  expect(beyond.errors![0]!.extensions!.field).toBe('expiresAt');
  expect(await sql(`SELECT count(*)::int AS n FROM api_tokens`)).toEqual(before);
  expect(await sql(`SELECT count(*)::int AS n FROM api_tokens WHERE expires_at IS NULL`)).toEqual([{ n: 0 }]);
});

test("apiTokens lists the viewer's own unrevoked tokens, newest first, never a secret", async () => {
  const user = await signUp(api.client, 'lister');
  const mine = (name: string) => api.client.ok(CREATE, { n: name, e: null }, { token: user.token });
  const first = await mine('first');
  const second = await mine('second');
  const revoked = await mine('revoked');
  await api.client.ok(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: revoked.createApiToken.apiToken.id }, { token: user.token });
  await create('someone else');
  const LIST = `{ apiTokens { id name createdAt lastUsedAt expiresAt } }`;
  const listed = await api.client.ok(LIST, {}, { token: user.token });
  expect(listed.apiTokens.map((t: { id: string; name: string }) => [t.id, t.name])).toEqual([
    [second.createApiToken.apiToken.id, 'second'],
    [first.createApiToken.apiToken.id, 'first'],
  ]);
  const text = JSON.stringify(listed);
  for (const created of [first, second]) expect(text).not.toContain(created.createApiToken.token.slice(4));
  // An API token may read its owner's list (it is how a script finds what to rotate).
  expect((await api.client.ok(LIST, {}, { token: first.createApiToken.token })).apiTokens).toHaveLength(2);
  expect(errorCode(await api.client.request(LIST))).toBe('UNAUTHENTICATED');
});

test("node(id:) resolves the viewer's own API tokens only", async () => {
  const { id } = await create('by node');
  const NODE = `query($id: ID!) { node(id: $id) { __typename ... on ApiToken { id name } } }`;
  expect((await api.client.ok(NODE, { id }, { token: org.users.MEMBER.token, orgId: org.id })).node).toEqual({ __typename: 'ApiToken', id, name: 'by node' });
  expect((await api.client.ok(NODE, { id }, { token: org.owner.token, orgId: org.id })).node).toBeNull();
});
