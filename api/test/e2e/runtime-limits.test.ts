// GraphQL hardening with production settings: every document limit refuses an over-limit
// document with GRAPHQL_VALIDATION_FAILED (HTTP 400) before any resolver runs, proven by the SQL
// the pool saw (none), and lets the document exactly at the limit through to the database.
import { Lexer, Source, TokenKind } from 'graphql';
import { loadConfig } from '../../src/config';
import { createIssue, createProject, signUp, uniqueSuffix, type TestUser } from '../support/fixtures';
import { errorCode, type GraphqlResponse } from '../support/graphql-client';
import { countStatements, type StatementCounter } from '../support/sql-counter';
import { startTestApi, type TestApi } from '../support/test-server';

let api: TestApi;
let sql: StatementCounter;
let owner: TestUser;
let orgId: string;

beforeAll(async () => {
  api = await startTestApi('limits', { NODE_ENV: 'production' });
  sql = countStatements(api.server.database.pool);
  owner = await signUp(api.client, 'limits');
  const org = await api.client.ok(`mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`, { input: { name: 'Limits', slug: `limits-${uniqueSuffix()}` } }, { token: owner.token });
  orgId = org.createOrganization.id;
  const testOrg = { id: orgId, slug: '', owner, users: { OWNER: owner } as never };
  await createProject(api.client, testOrg, 'WEB');
  const first = await createIssue(api.client, testOrg, { projectKey: 'WEB', title: 'parent' });
  await createIssue(api.client, testOrg, { projectKey: 'WEB', title: 'child', type: 'SUBTASK', parentKey: first.key });
});

afterAll(() => api?.stop());

const asOwner = () => ({ token: owner.token, orgId });

/** Sends the document and reports the SQL statements the request caused. */
async function send(query: string): Promise<{ response: GraphqlResponse; statements: number }> {
  sql.reset();
  const response = await api.client.request(query, {}, asOwner());
  return { response, statements: sql.statements.length };
}

async function expectRefused(query: string, message: RegExp): Promise<void> {
  const { response, statements } = await send(query);
  expect(response.status).toBe(400);
  expect(errorCode(response)).toBe('GRAPHQL_VALIDATION_FAILED');
  expect(response.errors![0]!.message).toMatch(message);
  expect(response.data).toBeUndefined();
  expect(statements).toBe(0);
}

async function expectServed(query: string): Promise<GraphqlResponse> {
  const { response, statements } = await send(query);
  expect(response.errors).toBeUndefined();
  expect(response.status).toBe(200);
  expect(statements).toBeGreaterThan(0);
  return response;
}

/** issue(key) with `parents` levels of parent { } inside: depth parents + 2 (issue and key). */
const nested = (parents: number) => `{ issue(key: "WEB-2") { ${'parent { '.repeat(parents)}key${' }'.repeat(parents)} } }`;
const aliased = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `p${i}: project(key: "WEB") { key }`).join(' ')} }`;
const directed = (n: number) => `{ project(key: "WEB") { ${Array.from({ length: n }, () => 'key @include(if: true)').join(' ')} } }`;
// A long enum list: repeated fields would trip graphql-js's own field-merging budget first.
const tokens = (n: number) => `{ issues(filter: { priorities: [${' LOW'.repeat(n - 16)} ] }) { totalCount } }`;

function countTokens(document: string): number {
  const lexer = new Lexer(new Source(document));
  let count = 0;
  while (lexer.advance().kind !== TokenKind.EOF) count++;
  return count;
}

// Nine pages of 100 projects, each 1 (the connection) + 100 × (edge 1 + project 1 + 3 for the
// description its row carries) = 501, and one page of 98, 1 + 98 × 5 = 491: 5000.
// `viewer { id }` adds 1.
const costly = (extra: string) =>
  `{ ${Array.from({ length: 9 }, (_, i) => `p${i}: projects(first: 100) { edges { node { key } } }`).join(' ')} p9: projects(first: 98) { edges { node { key } } } ${extra} }`;

test('depth: 8 levels run, 9 are refused before any SQL', async () => {
  const response = await expectServed(nested(6));
  expect(JSON.stringify(response.data)).toContain('"parent":null');
  await expectRefused(nested(7), /depth limit of 8 exceeded, found 9/i);
});

test('aliases: 15 run, 16 are refused before any SQL', async () => {
  await expectServed(aliased(15));
  await expectRefused(aliased(16), /aliases limit of 15 exceeded, found 16/i);
});

test('directives: 50 run, 51 are refused before any SQL', async () => {
  await expectServed(directed(50));
  await expectRefused(directed(51), /directives limit of 50 exceeded, found 51/i);
});

test('tokens: 2000 run, 2001 are refused before any SQL', async () => {
  expect([countTokens(tokens(2000)), countTokens(tokens(2001))]).toEqual([2000, 2001]);
  await expectServed(tokens(2000));
  await expectRefused(tokens(2001), /more tha[nt] 2000 tokens/i);
});

test('cost: 5000 runs and is reported in extensions.cost, 5001 is refused before any SQL', async () => {
  const response = await expectServed(costly(''));
  const body = await fetch(api.client.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.token}`, 'x-org-id': orgId }, body: JSON.stringify({ query: costly('') }) }).then((r) => r.json() as Promise<{ extensions?: unknown }>);
  expect(body.extensions).toEqual({ cost: 5000 });
  expect(response.data).toBeDefined();
  await expectRefused(costly('viewer { id }'), /cost limit of 5000 exceeded, found 5001/i);
});

test('the cost of every operation is in extensions.cost', async () => {
  const body = await fetch(api.client.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }).then((r) => r.json());
  expect(body).toEqual({ data: { __typename: 'Query' }, extensions: { cost: 1 } });
});

test('introspection is off in production and field suggestions are hidden', async () => {
  await expectRefused('{ __schema { queryType { name } } }', /introspection/i);
  const { response } = await send('{ projectz { key } }');
  expect(errorCode(response)).toBe('GRAPHQL_VALIDATION_FAILED');
  expect(response.errors![0]!.message).not.toMatch(/did you mean/i);
  expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), DATABASE_URL: 'postgresql://a@b/c' }).graphqlIntrospection).toBe(false);
  expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), DATABASE_URL: 'postgresql://a@b/c', GRAPHQL_INTROSPECTION: 'true' }).graphqlIntrospection).toBe(true);
});

const MISSPELT_INPUT = { input: { projectKey: 'WEB', titel: 'x', priority: 'HIHG' } };
const CREATE_ISSUE = 'mutation($input: CreateIssueInput!) { createIssue(input: $input) { key } }';

test('variable coercion errors name no schema members in production', async () => {
  sql.reset();
  const response = await api.client.request(CREATE_ISSUE, MISSPELT_INPUT, asOwner());
  expect(errorCode(response)).toBe('BAD_USER_INPUT');
  expect(response.errors![0]!.message).toMatch(/titel|HIHG/);
  // Naming a required field that is missing is fine; guessing at the misspelt ones is not.
  expect(JSON.stringify(response.errors)).not.toMatch(/did you mean|HIGH/i);
  const enumOnly = await api.client.request(CREATE_ISSUE, { input: { projectKey: 'WEB', title: 'x', priority: 'HIHG' } }, asOwner());
  expect(errorCode(enumOnly)).toBe('BAD_USER_INPUT');
  expect(JSON.stringify(enumOnly.errors)).not.toMatch(/did you mean|HIGH/i);
});

test('batched requests, persisted queries and CSRF-prone requests are refused', async () => {
  const post = (body: string, contentType = 'application/json') => fetch(api.client.url, { method: 'POST', headers: { 'content-type': contentType }, body });
  const batched = await post('[{"query":"{ __typename }"},{"query":"{ __typename }"}]');
  expect(batched.status).toBe(400);
  // The APQ protocol answers 200 so that clients fall back to sending the whole document.
  const persisted = await post(JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }));
  expect(await persisted.json()).toEqual({ errors: [{ message: 'PersistedQueryNotSupported', extensions: { code: 'BAD_USER_INPUT' } }] });
  const simple = await post('{"query":"{ __typename }"}', 'text/plain');
  expect(simple.status).toBe(400);
  expect(await simple.text()).toMatch(/Cross-Site Request Forgery/);
  // A GET needs no preflight header: it only reads (see graphql-over-http.test.ts).
  const get = await fetch(`${api.client.url}?query=${encodeURIComponent('{ __typename }')}`);
  expect(get.status).toBe(200);
});

test('each of those protections has its switch', async () => {
  const open = await startTestApi('limits3', {
    NODE_ENV: 'production',
    GRAPHQL_FIELD_SUGGESTIONS: 'true',
    GRAPHQL_CSRF_PREVENTION: 'false',
    GRAPHQL_BATCHED_REQUESTS: 'true',
    GRAPHQL_PERSISTED_QUERIES: 'true',
  });
  try {
    const post = (body: string) => fetch(open.client.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const suggested = await open.client.request('{ projectz { key } }', {}, { token: owner.token, orgId });
    expect(suggested.errors![0]!.message).toMatch(/did you mean .*"projects"/i);
    const coerced = await open.client.request(CREATE_ISSUE, MISSPELT_INPUT, { token: owner.token, orgId });
    expect(JSON.stringify(coerced.errors)).toMatch(/did you mean the enum value \\"HIGH\\"/i);
    const batched = await post('[{"query":"{ __typename }"},{"query":"{ __typename }"}]');
    expect(batched.status).toBe(200);
    expect(await batched.json()).toEqual([expect.objectContaining({ data: { __typename: 'Query' } }), expect.objectContaining({ data: { __typename: 'Query' } })]);
    const persisted = await post(JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }));
    expect(((await persisted.json()) as { errors: { message: string }[] }).errors[0]!.message).toBe('PersistedQueryNotFound');
    const get = await fetch(`${open.client.url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(get.status).toBe(200);
  } finally {
    await open.stop();
  }
});

test('each limit follows its variable', async () => {
  const strict = await startTestApi('limits2', {
    NODE_ENV: 'production',
    GRAPHQL_MAX_DEPTH: '2',
    GRAPHQL_MAX_ALIASES: '1',
    GRAPHQL_MAX_DIRECTIVES: '1',
    GRAPHQL_MAX_TOKENS: '20',
    GRAPHQL_MAX_COST: '10',
  });
  try {
    const refusal = async (query: string) => {
      const response = await strict.client.request(query);
      return [response.status, errorCode(response), response.errors?.[0]?.message];
    };
    expect(await refusal('{ viewer { id } }')).toEqual([401, 'UNAUTHENTICATED', expect.any(String)]);
    expect(await refusal('{ viewer { id createdAt } }')).toEqual([401, 'UNAUTHENTICATED', expect.any(String)]);
    expect(await refusal('{ organization { members { totalCount } } }')).toEqual([400, 'GRAPHQL_VALIDATION_FAILED', expect.stringMatching(/depth limit of 2 exceeded, found 3/)]);
    expect(await refusal('{ a: viewer { id } b: viewer { id } }')).toEqual([400, 'GRAPHQL_VALIDATION_FAILED', expect.stringMatching(/aliases limit of 1 exceeded, found 2/i)]);
    expect(await refusal('{ __typename @skip(if: false) __typename @skip(if: false) }')).toEqual([400, 'GRAPHQL_VALIDATION_FAILED', expect.stringMatching(/directives limit of 1 exceeded, found 2/i)]);
    expect(await refusal(`{ ${'__typename '.repeat(19)}}`)).toEqual([400, 'GRAPHQL_VALIDATION_FAILED', expect.stringMatching(/20 tokens/)]);
    expect(await refusal('{ organizations { id } viewer { id } }')).toEqual([400, 'GRAPHQL_VALIDATION_FAILED', expect.stringMatching(/cost limit of 10 exceeded, found 11\b/i)]);
  } finally {
    await strict.stop();
  }
});
