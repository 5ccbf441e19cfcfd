// Accounts: log-in that never tells whether an email exists, failure limits per (email, client
// address), per address and per email, one password check per request, password length rules
// counted in characters, and one normal form for emails.
import { startTestApi, type TestApi } from '../support/test-server';
import { PASSWORD, signUp, uniqueSuffix } from '../support/fixtures';
import { errorCode, type GraphqlResponse } from '../support/graphql-client';
import { withOwner } from '../support/db-snapshot';

const LIMIT = 3;
const ADDRESS_LIMIT = 8;
const EMAIL_CEILING = 6;
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi('login', {
    // As behind the ALB: the rightmost X-Forwarded-For entry is the client.
    TRUST_PROXY_HOPS: '1',
    LOGIN_FAILURE_LIMIT: String(LIMIT),
    LOGIN_ADDRESS_FAILURE_LIMIT: String(ADDRESS_LIMIT),
    LOGIN_EMAIL_FAILURE_CEILING: String(EMAIL_CEILING),
  });
});

/** Each test is a different client address (as the load balancer reports it), unless it says otherwise. */
let address = '';
let addresses = 0;
const newAddress = () => `10.0.${Math.floor(++addresses / 250)}.${addresses % 250}`;
beforeEach(() => {
  address = newAddress();
});

afterAll(() => api?.stop());

const LOG_IN = `mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { user { id email } } }`;
const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { user { id email } } }`;

const logIn = (email: string, password: string, from = address) => api.client.request(LOG_IN, { e: email, p: password }, { headers: { 'x-forwarded-for': from } });
const failures = async (where: string, value: string): Promise<number> =>
  (await withOwner(api.database.ownerUrl, (client) => client.query(`SELECT count(*)::int AS n FROM login_failures WHERE ${where} = $1`, [value]))).rows[0].n;
const seen = (response: GraphqlResponse) => ({ status: response.status, data: response.data, errors: response.errors });

test('an unknown email gets exactly the answer of a wrong password', async () => {
  const user = await signUp(api.client, 'known');
  const wrongPassword = await logIn(user.email, 'wrong password, long enough');
  const unknownEmail = await logIn(`nobody-${uniqueSuffix()}@example.com`, 'wrong password, long enough');
  expect(errorCode(wrongPassword)).toBe('UNAUTHENTICATED');
  expect(seen(unknownEmail)).toEqual(seen(wrongPassword));
});

test(`after ${LIMIT} failures an account is RATE_LIMITED, even with the right password; other accounts are not`, async () => {
  const user = await signUp(api.client, 'limited');
  const bystander = await signUp(api.client, 'bystander');
  for (let i = 0; i < LIMIT; i++) expect(errorCode(await logIn(user.email, `wrong password number ${i}`))).toBe('UNAUTHENTICATED');
  const limited = await logIn(user.email, PASSWORD);
  expect(errorCode(limited)).toBe('RATE_LIMITED');
  expect(limited.status).toBe(429);
  expect(errorCode(await logIn(bystander.email, PASSWORD))).toBeUndefined();
});

test('of many wrong guesses sent at once, at most the limit are checked and the rest are RATE_LIMITED', async () => {
  const user = await signUp(api.client, 'burst');
  const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => logIn(user.email, `wrong password number ${i}`)));
  const codes = burst.map(errorCode);
  const checked = codes.filter((code) => code === 'UNAUTHENTICATED').length;
  expect(checked).toBeLessThanOrEqual(LIMIT);
  expect(codes.filter((code) => code !== 'UNAUTHENTICATED' && code !== 'RATE_LIMITED')).toEqual([]);
  // Exactly the checked guesses stay on record as failures; the refused ones are not counted.
  const recorded = await withOwner(api.database.ownerUrl, (client) => client.query(`SELECT count(*)::int AS n FROM login_failures WHERE email = $1`, [user.email]));
  expect(recorded.rows[0].n).toBe(checked);
});

test('successful log-ins do not count towards the limit', async () => {
  const user = await signUp(api.client, 'regular');
  for (let i = 0; i <= LIMIT; i++) expect(errorCode(await logIn(user.email, PASSWORD))).toBeUndefined();
  expect(errorCode(await logIn(user.email, 'one wrong password, long enough'))).toBe('UNAUTHENTICATED');
});

test('an unknown email is rate limited exactly like a known one', async () => {
  const user = await signUp(api.client, 'known2');
  const unknown = `ghost-${uniqueSuffix()}@example.com`;
  for (let i = 0; i < LIMIT; i++) {
    expect(seen(await logIn(unknown, 'wrong password, long enough'))).toEqual(seen(await logIn(user.email, 'wrong password, long enough')));
  }
  expect(seen(await logIn(unknown, PASSWORD))).toEqual(seen(await logIn(user.email, PASSWORD)));
  expect(errorCode(await logIn(unknown, PASSWORD))).toBe('RATE_LIMITED');
});

test('passwords of 15 to 128 characters are accepted, counted in characters rather than bytes', async () => {
  const attempt = (password: string) => api.client.request(SIGN_UP, { input: { email: `pw-${uniqueSuffix()}@example.com`, name: 'Pw', password } });
  for (const [password, ok] of [
    ['x'.repeat(14), false],
    ['x'.repeat(15), true],
    ['x'.repeat(128), true],
    ['x'.repeat(129), false],
    ['🔑'.repeat(14), false], // 28 UTF-16 units, but 14 characters
    ['🔑'.repeat(15), true],
  ] as const) {
    const response = await attempt(password);
    const outcome = response.errors ? `${errorCode(response)} ${response.errors[0]!.extensions!.field}` : 'ok';
    expect({ length: [...password].length, outcome }).toEqual({ length: [...password].length, outcome: ok ? 'ok' : 'BAD_USER_INPUT password' });
  }
});

test('emails are trimmed and lower-cased, so log-in ignores case and a second sign-up is a CONFLICT', async () => {
  const local = `Mixed.Case-${uniqueSuffix()}`;
  const data = await api.client.ok(SIGN_UP, { input: { email: `  ${local}@Example.COM `, name: 'Mixed', password: PASSWORD } });
  const normal = `${local.toLowerCase()}@example.com`;
  expect(data.signUp.user.email).toBe(normal);
  const response = await logIn(` ${local.toUpperCase()}@EXAMPLE.com`, PASSWORD);
  expect(response.data?.logIn?.user).toEqual(data.signUp.user);
  const duplicate = await api.client.request(SIGN_UP, { input: { email: normal.toUpperCase(), name: 'Again', password: PASSWORD } });
  expect(errorCode(duplicate)).toBe('CONFLICT');
  expect(duplicate.errors![0]!.extensions!.field).toBe('email');
});

describe('limits per client address (issue 16, item 14)', () => {
  test("a stranger's failures lock the account only for the stranger's address", async () => {
    const victim = await signUp(api.client, 'victim');
    const stranger = newAddress();
    for (let i = 0; i < LIMIT; i++) expect(errorCode(await logIn(victim.email, `stranger guess ${i}, long enough`, stranger))).toBe('UNAUTHENTICATED');
    expect(errorCode(await logIn(victim.email, PASSWORD, stranger))).toBe('RATE_LIMITED');
    // The victim, elsewhere, logs in as usual.
    expect(errorCode(await logIn(victim.email, PASSWORD))).toBeUndefined();
  });

  test('one address rotating ever-new emails is RATE_LIMITED after the per-address limit', async () => {
    const codes: unknown[] = [];
    for (let i = 0; i < ADDRESS_LIMIT + 4; i++) codes.push(errorCode(await logIn(`rotating-${i}-${uniqueSuffix()}@example.com`, 'wrong password, long enough')));
    expect(codes.slice(0, ADDRESS_LIMIT)).toEqual(Array(ADDRESS_LIMIT).fill('UNAUTHENTICATED'));
    expect(codes.slice(ADDRESS_LIMIT)).toEqual(Array(4).fill('RATE_LIMITED'));
    expect(await failures('address', address)).toBe(ADDRESS_LIMIT);
    // Even a right password from that address waits; other addresses are unaffected.
    const user = await signUp(api.client, 'neighbour');
    expect(errorCode(await logIn(user.email, PASSWORD))).toBe('RATE_LIMITED');
    expect(errorCode(await logIn(user.email, PASSWORD, newAddress()))).toBeUndefined();
  });

  test('many addresses together meet the per-email ceiling', async () => {
    const user = await signUp(api.client, 'ceiling');
    const codes: unknown[] = [];
    for (let i = 0; i < EMAIL_CEILING + 2; i++) codes.push(errorCode(await logIn(user.email, `distributed guess ${i}, long enough`, newAddress())));
    expect(codes.slice(0, EMAIL_CEILING)).toEqual(Array(EMAIL_CEILING).fill('UNAUTHENTICATED'));
    expect(codes.slice(EMAIL_CEILING)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    expect(errorCode(await logIn(user.email, PASSWORD, newAddress()))).toBe('RATE_LIMITED');
  });

  test('only the entry the load balancer added counts: a forged X-Forwarded-For prefix does not rotate the address', async () => {
    const real = address;
    const codes: unknown[] = [];
    for (let i = 0; i < ADDRESS_LIMIT + 1; i++) codes.push(errorCode(await logIn(`forged-${i}-${uniqueSuffix()}@example.com`, 'wrong password, long enough', `198.51.100.${i}, ${real}`)));
    expect(codes.at(-1)).toBe('RATE_LIMITED');
    expect(await failures('address', real)).toBe(ADDRESS_LIMIT);
  });
});

describe('one password check per request (issue 16, item 14)', () => {
  test('a second logIn or signUp field in one document is refused before any password is checked', async () => {
    const user = await signUp(api.client, 'aliased');
    const fields = Array.from({ length: 15 }, (_, i) => `a${i}: logIn(email: $e, password: $p) { accessToken }`).join(' ');
    const documents = [
      `mutation($e: String!, $p: String!) { ${fields} }`,
      `mutation($e: String!, $p: String!) { a: logIn(email: $e, password: $p) { accessToken } b: signUp(input: { email: "x-${uniqueSuffix()}@example.com", name: "X", password: $p }) { accessToken } }`,
      `mutation($e: String!, $p: String!) { ...twice } fragment twice on Mutation { a: logIn(email: $e, password: $p) { accessToken } b: logIn(email: $e, password: $p) { accessToken } }`,
    ];
    const sessionsBefore = await withOwner(api.database.ownerUrl, (client) => client.query(`SELECT count(*)::int AS n FROM refresh_tokens`));
    for (const document of documents) {
      const response = await api.client.request(document, { e: user.email, p: PASSWORD }, { headers: { 'x-forwarded-for': address } });
      expect({ document: document.slice(0, 60), code: errorCode(response), status: response.status, data: response.data }).toEqual({
        document: document.slice(0, 60),
        code: 'GRAPHQL_VALIDATION_FAILED',
        status: 400,
        data: undefined,
      });
    }
    const sessionsAfter = await withOwner(api.database.ownerUrl, (client) => client.query(`SELECT count(*)::int AS n FROM refresh_tokens`));
    expect(sessionsAfter.rows[0].n).toBe(sessionsBefore.rows[0].n);
    expect(await failures('email', user.email)).toBe(0);
    // One logIn per request is fine.
    expect(errorCode(await logIn(user.email, PASSWORD))).toBeUndefined();
  });
});

test('in a batch of operations (where batching is on), only one logIn or signUp runs', async () => {
  const batched = await startTestApi('loginbatch', { GRAPHQL_BATCHED_REQUESTS: 'true', TRUST_PROXY_HOPS: '1' });
  try {
    const user = await signUp(batched.client, 'batched');
    const operation = { query: LOG_IN, variables: { e: user.email, p: PASSWORD } };
    const response = await fetch(batched.client.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(Array(5).fill(operation)) });
    const bodies = (await response.json()) as { data?: { logIn: unknown } | null; errors?: { extensions?: { code?: string; field?: string } }[] }[];
    expect(bodies).toHaveLength(5);
    // The operations of a batch run concurrently: which one gets to check is not specified.
    const succeeded = bodies.filter((body) => body.errors === undefined && body.data?.logIn);
    const refused = bodies.filter((body) => body.errors !== undefined);
    expect(succeeded).toHaveLength(1);
    for (const body of refused) expect(body.errors?.map((error) => [error.extensions?.code, error.extensions?.field])).toEqual([['BAD_USER_INPUT', 'password']]);
    expect(refused).toHaveLength(4);
    // Exactly one session came of it (plus the sign-up's).
    const sessions = await withOwner(batched.database.ownerUrl, (client) => client.query(`SELECT count(*)::int AS n FROM refresh_tokens`));
    expect(sessions.rows[0].n).toBe(2);
  } finally {
    await batched.stop();
  }
});
