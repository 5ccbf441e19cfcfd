// Access tokens under attack, and refresh-token rotation with theft detection. Every forged,
// expired or foreign token must be UNAUTHENTICATED (HTTP 401), like no valid token at all.
import { createHmac } from 'node:crypto';
import { SignJWT, generateKeyPair } from 'jose';
import { startTestApi, type TestApi } from '../support/test-server';
import { signUp, PASSWORD, type TestUser } from '../support/fixtures';
import { errorCode } from '../support/graphql-client';
import { signAccessToken } from '../../src/auth/access-token';
import { decodeGlobalId } from '../../src/graphql/global-id';

let api: TestApi;
let user: TestUser;
let rowId: string;

beforeAll(async () => {
  api = await startTestApi('tokens');
  user = await signUp(api.client, 'tokens');
  rowId = decodeGlobalId(user.id, 'id').rowId;
});

afterAll(() => api?.stop());

const VIEWER = `{ viewer { id } }`;
const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken user { id } } }`;

const settings = () => api.server.services.tokens;
const base64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
/** Claims the server would accept, were the token signed properly. */
const goodClaims = () => ({ sub: rowId, iss: settings().issuer, aud: settings().audience, iat: now(), exp: now() + 600 });

function hs256(header: object, claims: object, key: Uint8Array): string {
  const body = `${base64url(header)}.${base64url(claims)}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

function signed(claims: Record<string, unknown>, alg = 'HS256', key: Parameters<SignJWT['sign']>[0] = settings().secret): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(key);
}

async function viewerWith(token: string) {
  return api.client.request(VIEWER, {}, { token });
}

test('a correctly signed access token is accepted (the control for the attacks below)', async () => {
  expect((await api.client.ok(VIEWER, {}, { token: await signed(goodClaims()) })).viewer.id).toBe(user.id);
  expect((await api.client.ok(VIEWER, {}, { token: hs256({ alg: 'HS256', typ: 'JWT' }, goodClaims(), settings().secret) })).viewer.id).toBe(user.id);
});

const ATTACKS: readonly [string, () => Promise<string>][] = [
  ['with alg "none" and no signature', async () => `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(goodClaims())}.`],
  ['signed HS256 with another key', () => signed(goodClaims(), 'HS256', new TextEncoder().encode('another-secret-that-is-at-least-32-bytes!'))],
  ['signed HS512 with the right key (algorithm switch)', () => signed(goodClaims(), 'HS512')],
  ['signed RS256 with an attacker key pair', async () => signed(goodClaims(), 'RS256', (await generateKeyPair('RS256')).privateKey)],
  ['with an RS256 header over an HMAC made with the secret (key confusion)', async () => hs256({ alg: 'RS256', typ: 'JWT' }, goodClaims(), settings().secret)],
  ['that has expired', () => signAccessToken(settings(), rowId, -60)],
  ['for another audience', () => signed({ ...goodClaims(), aud: 'some-other-service' })],
  ['from another issuer', () => signed({ ...goodClaims(), iss: 'https://evil.example' })],
  ['without an expiry', async () => signed({ ...goodClaims(), exp: undefined })],
  ['without a subject', async () => signed({ ...goodClaims(), sub: undefined })],
  ['with a tampered payload', async () => {
    const [header, , signature] = (await signed(goodClaims())).split('.');
    return `${header}.${base64url({ ...goodClaims(), sub: '00000000-0000-4000-8000-000000000000' })}.${signature}`;
  }],
  ['of garbage', async () => 'not-a-token'],
  ['of three dots of garbage', async () => 'a.b.c'],
];

test.each(ATTACKS)('an access token %s is UNAUTHENTICATED with HTTP 401', async (_name, make) => {
  const response = await viewerWith(await make());
  expect(errorCode(response)).toBe('UNAUTHENTICATED');
  expect(response.status).toBe(401);
  expect(response.data ?? null).toBeNull();
});

test('an Authorization header that is not "Bearer <token>" is UNAUTHENTICATED', async () => {
  for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer two tokens', user.token]) {
    const response = await api.client.request(VIEWER, {}, { headers: { authorization } });
    expect({ authorization, code: errorCode(response) }).toEqual({ authorization, code: 'UNAUTHENTICATED' });
  }
});

test('refreshing rotates the pair: the new tokens work and the new refresh token differs', async () => {
  const fresh = await signUp(api.client, 'rotate');
  const first = (await api.client.ok(REFRESH, { t: fresh.refreshToken })).refreshSession;
  expect(first.user.id).toBe(fresh.id);
  expect(first.refreshToken).not.toBe(fresh.refreshToken);
  expect((await api.client.ok(VIEWER, {}, { token: first.accessToken })).viewer.id).toBe(fresh.id);
  const second = (await api.client.ok(REFRESH, { t: first.refreshToken })).refreshSession;
  expect(second.user.id).toBe(fresh.id);
});

test('replaying a rotated refresh token revokes its whole family, but not other sessions', async () => {
  const victim = await signUp(api.client, 'replay');
  const otherSession = (await api.client.ok(`mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { refreshToken } }`, { e: victim.email, p: PASSWORD })).logIn;
  const rotated = (await api.client.ok(REFRESH, { t: victim.refreshToken })).refreshSession;
  const replay = await api.client.request(REFRESH, { t: victim.refreshToken });
  expect(errorCode(replay)).toBe('UNAUTHENTICATED');
  // The thief or the victim holds the newer token; either way it is dead now.
  const newer = await api.client.request(REFRESH, { t: rotated.refreshToken });
  expect(errorCode(newer)).toBe('UNAUTHENTICATED');
  expect(newer.errors![0]!.message).toBe(replay.errors![0]!.message);
  expect((await api.client.ok(REFRESH, { t: otherSession.refreshToken })).refreshSession.user.id).toBe(victim.id);
});

test('an unknown refresh token is UNAUTHENTICATED', async () => {
  const response = await api.client.request(REFRESH, { t: 'made-up-refresh-token' });
  expect(errorCode(response)).toBe('UNAUTHENTICATED');
  expect(response.status).toBe(401);
});
