// API tokens for scripts: `trk_` + 30 base62 + a 6-character base62 CRC32, shown once,
// stored as a SHA-256 digest, usable as a Bearer token until revoked or expired, and
// touching lastUsedAt at most once a minute.
import { createHash } from 'node:crypto';
import { getNamedType, isObjectType } from 'graphql';
import { startTestApi, type TestApi } from '../support/test-server';
import { createOrg, type TestOrg } from '../support/fixtures';
import { errorCode } from '../support/graphql-client';
import { withOwner } from '../support/db-snapshot';
import { buildAppSchema } from '../../src/graphql/schema';
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

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('condition not reached within 1 s');
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
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(await lastUsedAt(rowId)).toEqual(first);
  // A minute later (simulated), the next use moves it forward again.
  await sql(`UPDATE api_tokens SET last_used_at = last_used_at - interval '61 seconds' WHERE id = $1`, [rowId]);
  const aged = (await lastUsedAt(rowId))!;
  await api.client.ok(VIEWER, {}, { token });
  const next = (await eventually(() => lastUsedAt(rowId), (value) => value!.getTime() !== aged.getTime()))!;
  expect(next.getTime()).toBeGreaterThan(first.getTime() - 1);
});
