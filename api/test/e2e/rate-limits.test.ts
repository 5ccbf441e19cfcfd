// Rate limits as clients see them: GitHub-style points per caller, per organization and per
// client address, shared by every instance through Redis, reported in the IETF RateLimit headers
// and the `rateLimit` query, refused with 429 RATE_LIMITED and Retry-After.
import { createOrg, createProject, type TestOrg } from '../support/fixtures';
import { errorCode, type GraphqlResponse } from '../support/graphql-client';
import { freshKeyPrefix, parseRateLimit, RATE_LIMIT_QUERY, startLoggedServer, type LoggedServer, type RateLimitData } from '../support/rate-limit-servers';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { TEST_REDIS_URL } from '../support/test-env';

const WINDOW = 60;
let database: TestDatabase;
const servers: LoggedServer[] = [];

async function start(env: Record<string, string>): Promise<LoggedServer> {
  const started = await startLoggedServer(database, { RATE_LIMIT_WINDOW_SECONDS: String(WINDOW), ...env });
  servers.push(started);
  return started;
}

beforeAll(async () => {
  database = await createTestDatabase('ratelimits');
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.server.close()));
  await database?.drop();
});

function expectRefused(response: GraphqlResponse<any>): void {
  expect(response.status).toBe(429);
  expect(errorCode(response)).toBe('RATE_LIMITED');
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW);
  expect(response.errors?.[0]?.extensions?.retryAfterSeconds).toBe(retryAfter);
  expect(response.headers.get('ratelimit-policy')).toBeTruthy();
}

describe('two instances against one Redis', () => {
  const LIMIT = 200;
  let a: LoggedServer;
  let b: LoggedServer;
  let org: TestOrg;

  beforeAll(async () => {
    // A generous Redis timeout: on a machine this busy a stalled event loop must not pass for an outage.
    const env = { REDIS_URL: TEST_REDIS_URL, REDIS_TIMEOUT_MS: '5000', RATE_LIMIT_KEY_PREFIX: freshKeyPrefix(), RATE_LIMIT_CALLER_POINTS: String(LIMIT) };
    [a, b] = await Promise.all([start(env), start(env)]);
    org = await createOrg(a.client, 'shared');
  });

  test('share one budget: what either spends, both see, and the sum hits the limit', async () => {
    const caller = { token: org.users.MEMBER.token, orgId: org.id };
    const spentOn = { a: 0, b: 0 };
    // Joining (accepting the invitation) was already charged to this caller.
    let spentBefore = 0;
    let previous: number | undefined;
    let refused: GraphqlResponse<RateLimitData> | undefined;
    for (let i = 0; i < 1000 && !refused; i++) {
      const side = i % 2 === 0 ? 'a' : 'b';
      const response = await (side === 'a' ? a : b).client.request<RateLimitData>(RATE_LIMIT_QUERY, {}, caller);
      if (response.status === 429) {
        refused = response;
        break;
      }
      const { remaining, cost, limit } = response.data!.rateLimit;
      expect(limit).toBe(LIMIT);
      // Each answer counts the other instance's spending too.
      if (previous !== undefined) expect(remaining).toBe(previous - cost);
      else spentBefore = LIMIT - (remaining + cost);
      previous = remaining;
      spentOn[side] += cost;
    }
    expectRefused(refused!);
    // Neither instance alone reached the limit; together they did.
    expect(spentOn.a).toBeLessThan(LIMIT);
    expect(spentOn.b).toBeLessThan(LIMIT);
    expect(spentBefore + spentOn.a + spentOn.b).toBeGreaterThan(LIMIT - 10);
    // Refused on both.
    expectRefused(await a.client.request('{ viewer { id } }', {}, caller));
    expectRefused(await b.client.request('{ viewer { id } }', {}, caller));
    // Redis was there from the first request on: no instance ever fell back.
    expect([...a.logs, ...b.logs].filter((line) => /Redis/.test(line.msg))).toEqual([]);
  });
});

describe('budgets, headers and refusals (Redis)', () => {
  const CALLER = 400;
  const ORGANIZATION = 600;
  let api: LoggedServer;
  let noisy: TestOrg;
  let quiet: TestOrg;

  beforeAll(async () => {
    api = await start({
      REDIS_URL: TEST_REDIS_URL,
      REDIS_TIMEOUT_MS: '5000',
      RATE_LIMIT_KEY_PREFIX: freshKeyPrefix(),
      RATE_LIMIT_CALLER_POINTS: String(CALLER),
      RATE_LIMIT_ORGANIZATION_POINTS: String(ORGANIZATION),
      RATE_LIMIT_MUTATION_MIN_COST: '25',
    });
    [noisy, quiet] = await Promise.all([createOrg(api.client, 'noisy'), createOrg(api.client, 'quiet')]);
    await createProject(api.client, quiet, 'QUI');
  });

  test('every response carries RateLimit-Policy and RateLimit, matching the rateLimit query', async () => {
    const viewer = { token: quiet.users.VIEWER.token, orgId: quiet.id };
    const before = parseRateLimit(await api.client.request<RateLimitData>(RATE_LIMIT_QUERY, {}, viewer));
    const response = await api.client.request<RateLimitData>(RATE_LIMIT_QUERY, {}, viewer);
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit-policy')).toBe(`"caller";q=${CALLER};w=${WINDOW}, "organization";q=${ORGANIZATION};w=${WINDOW}`);
    const state = parseRateLimit(response);
    const { rateLimit } = response.data!;
    expect(rateLimit.cost).toBeGreaterThan(0);
    // This request's cost came off both budgets (others may spend the organization's too),
    // unless the window turned over between the two requests.
    const turnedOver = state.caller!.t > before.caller!.t;
    expect(state.caller!.r).toBe((turnedOver ? CALLER : before.caller!.r) - rateLimit.cost);
    expect(state.organization!.r).toBeLessThanOrEqual((turnedOver ? ORGANIZATION : before.organization!.r) - rateLimit.cost);
    // The query reports the tighter budget, with this request already paid for.
    expect(rateLimit.remaining).toBe(Math.min(state.caller!.r, state.organization!.r));
    for (const { t } of Object.values(state)) {
      expect(t).toBeGreaterThanOrEqual(1);
      expect(t).toBeLessThanOrEqual(WINDOW);
    }
    const resetIn = Date.parse(rateLimit.resetAt) - Date.now();
    expect(resetIn).toBeGreaterThan(0);
    expect(resetIn).toBeLessThanOrEqual(WINDOW * 1000);
    expect(response.headers.get('retry-after')).toBeNull();
  });

  test('a document of meta fields only is charged to the caller alone, never to the organization', async () => {
    const response = await api.client.request('{ __typename }', {}, { token: quiet.users.MEMBER.token, orgId: quiet.id });
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit-policy')).toBe(`"caller";q=${CALLER};w=${WINDOW}`);
    expect(Object.keys(parseRateLimit(response))).toEqual(['caller']);
  });

  test('a mutation costs at least the minimum', async () => {
    const caller = { token: quiet.users.MEMBER.token, orgId: quiet.id };
    const before = parseRateLimit(await api.client.request('{ viewer { id } }', {}, caller)).caller!.r;
    // deleteIssue answers a Boolean: its query cost is far below the minimum.
    const response = await api.client.request(`mutation { deleteIssue(key: "QUI-999") }`, {}, caller);
    expect(parseRateLimit(response).caller!.r).toBe(before - 25);
  });

  test('an exhausted budget is 429 RATE_LIMITED with Retry-After, and a refused mutation writes nothing', async () => {
    const caller = { token: noisy.users.MEMBER.token, orgId: noisy.id };
    let last: GraphqlResponse<unknown>;
    do last = await api.client.request('{ viewer { id } }', {}, caller);
    while (last.status === 200);
    expectRefused(last);
    expect(parseRateLimit(last)).toMatchObject({ caller: { r: 0 } });
    const create = await api.client.request(`mutation { createProject(input: { key: "LATE", name: "late" }) { id } }`, {}, caller);
    expectRefused(create);
    const late = await api.client.ok(`{ project(key: "LATE") { key } }`, {}, { token: noisy.owner.token, orgId: noisy.id });
    expect(late.project).toBeNull();
  });

  test("a noisy tenant exhausts its own organization's budget, never another's", async () => {
    // Several members of the noisy organization together spend its budget.
    const members = [noisy.owner, noisy.users.ADMIN, noisy.users.VIEWER];
    let refused: GraphqlResponse<unknown> | undefined;
    for (let i = 0; !refused && i < 300; i++) {
      const response = await api.client.request('{ viewer { id } }', {}, { token: members[i % members.length]!.token, orgId: noisy.id });
      if (response.status === 429) refused = response;
    }
    expectRefused(refused!);
    expect(refused!.errors?.[0]?.extensions?.policy).toBe('organization');
    // The quiet organization is untouched; a stranger naming it in x-org-id spends none of it.
    const before = parseRateLimit(await api.client.request('{ viewer { id } }', {}, { token: quiet.owner.token, orgId: quiet.id })).organization!.r;
    const stranger = await api.client.request('{ project(key: "QUI") { key } }', {}, { token: noisy.users.ADMIN.token, orgId: quiet.id });
    expect(stranger.status).not.toBe(429);
    const after = await api.client.request<RateLimitData>(RATE_LIMIT_QUERY, {}, { token: quiet.owner.token, orgId: quiet.id });
    expect(after.status).toBe(200);
    expect(parseRateLimit(after).organization!.r).toBe(before - after.data!.rateLimit.cost);
  });
});

describe('without credentials: per client address (in-process, no Redis)', () => {
  const ANONYMOUS = 60;
  const query = (api: LoggedServer, forwardedFor?: string) =>
    api.client.request('{ __typename }', {}, forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {});
  const exhaust = async (api: LoggedServer, forwardedFor?: string) => {
    let last: GraphqlResponse<unknown>;
    do last = await query(api, forwardedFor);
    while (last.status === 200);
    return last;
  };

  test('behind one proxy hop, each address has its own budget', async () => {
    const api = await start({ RATE_LIMIT_ANONYMOUS_POINTS: String(ANONYMOUS), TRUST_PROXY_HOPS: '1' });
    const first = await query(api, '203.0.113.7');
    expect(first.headers.get('ratelimit-policy')).toBe(`"address";q=${ANONYMOUS};w=${WINDOW}`);
    expectRefused(await exhaust(api, '203.0.113.7'));
    const other = await query(api, '203.0.113.8');
    expect(other.status).toBe(200);
    expect(parseRateLimit(other).address!.r).toBe(ANONYMOUS - 1);
    // Sign-up is anonymous too: refused for the exhausted address.
    const signUpResponse = await api.client.request(
      `mutation { signUp(input: { email: "late@example.com", name: "late", password: "correct horse battery staple" }) { accessToken } }`,
      {},
      { headers: { 'x-forwarded-for': '203.0.113.7' } },
    );
    expectRefused(signUpResponse);
  });

  test('without a trusted proxy, a forged X-Forwarded-For does not buy a fresh budget', async () => {
    const api = await start({ RATE_LIMIT_ANONYMOUS_POINTS: String(ANONYMOUS) });
    expectRefused(await exhaust(api));
    expectRefused(await query(api, '198.51.100.1'));
  });

  test('forged tokens are charged to the address', async () => {
    const api = await start({ RATE_LIMIT_ANONYMOUS_POINTS: String(ANONYMOUS) });
    let last: GraphqlResponse<unknown>;
    do last = await api.client.request('{ viewer { id } }', {}, { token: 'forged.token.value' });
    while (last.status !== 429);
    expectRefused(last);
    expect(parseRateLimit(last)).toMatchObject({ address: { r: 0 } });
  });
});
