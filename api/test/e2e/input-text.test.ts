// Text PostgreSQL cannot store (a NUL, an unpaired UTF-16 surrogate) is refused as
// BAD_USER_INPUT naming the argument, in every string argument of every mutation, and
// nothing changes. The table comes from the schema, so a new mutation is covered on arrival.
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLInputType,
} from 'graphql';
import { buildAppSchema } from '../../src/graphql-server/schema';
import { snapshotTables } from '../support/db-snapshot';
import { createIssue, createProject, signUp, uniqueSuffix, type TestUser } from '../support/fixtures';
import { startTestApi, type TestApi } from '../support/test-server';

let api: TestApi;
let owner: TestUser;
let orgId: string;

beforeAll(async () => {
  api = await startTestApi('inputtext');
  owner = await signUp(api.client, 'inputtext');
  const org = await api.client.ok(`mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`, { input: { name: 'Text', slug: `text-${uniqueSuffix()}` } }, { token: owner.token });
  orgId = org.createOrganization.id;
  const testOrg = { id: orgId, slug: '', owner, users: { OWNER: owner } as never };
  await createProject(api.client, testOrg, 'WEB');
  await createIssue(api.client, testOrg, { projectKey: 'WEB', title: 'one' });
});

afterAll(() => api?.stop());

const schema = buildAppSchema();
const mutation = schema.getMutationType()!;

/** A plausible value of a type: what a required argument needs to get past validation. */
function sample(type: GraphQLInputType): unknown {
  const inner = getNullableType(type) as GraphQLInputType;
  if (isListType(inner)) return [sample(inner.ofType)];
  if (isEnumType(inner)) return inner.getValues()[0]!.value;
  if (isInputObjectType(inner)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(inner.getFields())) if (isNonNullType(field.type)) value[field.name] = sample(field.type);
    return value;
  }
  switch (inner.name) {
    case 'Int':
      return 1;
    case 'Float':
      return 1.5;
    case 'Boolean':
      return true;
    case 'DateTime':
      return '2030-01-01T00:00:00Z';
    case 'JSON':
      return {};
    default:
      return 'WEB-1';
  }
}

/** Every path to a String leaf inside an argument: [] for the argument itself, ['title'] in an input. */
function stringPaths(type: GraphQLInputType, seen = new Set<string>()): string[][] {
  const named = getNamedType(type);
  if (isScalarType(named)) return named.name === 'String' ? [[]] : [];
  if (!isInputObjectType(named) || seen.has(named.name)) return [];
  const paths: string[][] = [];
  for (const field of Object.values(named.getFields())) {
    for (const rest of stringPaths(field.type, new Set([...seen, named.name]))) paths.push([field.name, ...rest]);
  }
  return paths;
}

function setAt(value: unknown, path: string[], leaf: string, type: GraphQLInputType): unknown {
  const inner = getNullableType(type) as GraphQLInputType;
  if (isListType(inner)) return [setAt(undefined, path, leaf, inner.ofType)];
  if (path.length === 0) return leaf;
  if (!isInputObjectType(inner)) throw new Error('path into a non-input type');
  const field = inner.getFields()[path[0]!]!;
  const object = { ...((value as Record<string, unknown>) ?? sample(inner)) } as Record<string, unknown>;
  object[field.name] = setAt(object[field.name], path.slice(1), leaf, field.type);
  return object;
}

interface Case {
  readonly name: string;
  readonly query: string;
  readonly variables: Record<string, unknown>;
  readonly field: string;
}

const BAD_TEXTS = { NUL: 'a\u0000b', 'lone surrogate': 'a\ud800b' } as const;

function casesFor(kind: keyof typeof BAD_TEXTS): Case[] {
  const cases: Case[] = [];
  for (const field of Object.values(mutation.getFields())) {
    const returnsObject = !isScalarType(getNamedType(field.type)) && !isEnumType(getNamedType(field.type));
    for (const target of field.args) {
      for (const path of stringPaths(target.type)) {
        const used = field.args.filter((arg: GraphQLArgument) => arg === target || isNonNullType(arg.type));
        const variables: Record<string, unknown> = {};
        for (const arg of used) variables[arg.name] = arg === target ? setAt(undefined, path, BAD_TEXTS[kind], arg.type) : sample(arg.type);
        const definitions = used.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
        const args = used.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
        const name = [target.name, ...path].join('.');
        cases.push({
          name: `${field.name}(${name}) with a ${kind}`,
          query: `mutation(${definitions}) { ${field.name}(${args})${returnsObject ? ' { __typename }' : ''} }`,
          variables,
          field: name,
        });
      }
    }
  }
  return cases;
}

const CASES = [...casesFor('NUL'), ...casesFor('lone surrogate')];

test('the table covers every mutation with a string argument', () => {
  const covered = new Set(CASES.map((c) => c.name.split('(')[0]));
  const withStrings = Object.values(mutation.getFields()).filter((f) => f.args.some((a) => stringPaths(a.type).length > 0));
  expect([...covered].sort()).toEqual(withStrings.map((f) => f.name).sort());
  expect(CASES.length).toBeGreaterThan(40);
});

test('every string argument of every mutation refuses NUL and lone surrogates as BAD_USER_INPUT, changing nothing', async () => {
  const before = await snapshotTables(api.database.ownerUrl);
  const failures: string[] = [];
  // A list element is named with its index (events[0]); the table names the argument.
  for (const c of CASES) {
    const response = await api.client.request(c.query, c.variables, { token: owner.token, orgId });
    const error = response.errors?.[0];
    if (response.data || error?.extensions?.code !== 'BAD_USER_INPUT' || String(error.extensions.field).replace(/\[\d+\]/g, '') !== c.field) {
      failures.push(`${c.name}: ${response.status} ${JSON.stringify(response.errors ?? response.data)}`);
    }
  }
  expect(failures).toEqual([]);
  expect(await snapshotTables(api.database.ownerUrl)).toEqual(before);
});

test('a NUL written into the document as an escape is refused the same way', async () => {
  const before = await snapshotTables(api.database.ownerUrl);
  const response = await api.client.request('mutation { addComment(issueKey: "WEB-1", body: "a\\u0000b") { id } }', {}, { token: owner.token, orgId });
  expect(response.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'body' });
  expect(response.data).toBeUndefined();
  const nested = await api.client.request('mutation { createIssue(input: { projectKey: "WEB", title: "a\\u0000b" }) { key } }', {}, { token: owner.token, orgId });
  expect(nested.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.title' });
  expect(await snapshotTables(api.database.ownerUrl)).toEqual(before);
});

test('paired surrogates (emoji) are ordinary text', async () => {
  const created = await api.client.ok('mutation($body: String!) { addComment(issueKey: "WEB-1", body: $body) { body } }', { body: 'ship it \ud83d\ude80' }, { token: owner.token, orgId });
  expect(created.addComment.body).toBe('ship it 🚀');
});
