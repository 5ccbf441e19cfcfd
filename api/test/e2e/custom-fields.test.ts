// Custom fields over HTTP: administration (ADMIN+, audited, bounded), values per type with
// their validation, history and optimistic concurrency, required fields on createIssue and
// updates, option renames that values follow, deletion (also racing a write), and filters.
// The index plan of a filter over 200,000 issues is in slow/custom-field-plan.test.ts.
import { startTestApi, type TestApi } from '../support/test-server';
import { createIssue, createOrg, createProject, type TestOrg } from '../support/fixtures';
import { clientAs, ownerSql, refusal, type OwnerSql, type RoleClient } from '../support/tracker-api';
import { addQuickMember, insertUser } from '../support/quick-members';
import { toGlobalId } from '../../src/graphql/global-id';
import { randomUUID } from 'node:crypto';

let api: TestApi;
let org: TestOrg;
let other: TestOrg;
let admin: RoleClient;
let member: RoleClient;
let sql: OwnerSql;

const CREATE = `mutation($k: String!, $n: String!, $t: CustomFieldType!, $o: [String!], $r: Boolean) {
  createCustomField(projectKey: $k, name: $n, type: $t, options: $o, required: $r) { id name type options required } }`;
const UPDATE = `mutation($id: ID!, $n: String, $o: [String!]) { updateCustomField(id: $id, name: $n, options: $o) { id name options } }`;
const DELETE = `mutation($id: ID!) { deleteCustomField(id: $id) }`;
const SET = `mutation($key: String!, $values: [CustomFieldValueInput!]!, $v: Int) { setIssueFields(key: $key, values: $values, expectedVersion: $v) {
  key version customFields { field { id name } value } } }`;
const READ = `query($key: String!) { issue(key: $key) { version customFields { field { id name type } value } history(first: 10) { edges { node { kind field from to } } } } }`;
const LIST = `query($f: IssueFilter) { issues(filter: $f, first: 100) { totalCount edges { node { key } } } }`;

async function field(projectKey: string, name: string, type: string, options?: string[], required = false): Promise<string> {
  return (await admin.ok(CREATE, { k: projectKey, n: name, t: type, o: options, r: required })).createCustomField.id;
}

beforeAll(async () => {
  api = await startTestApi('customfields');
  org = await createOrg(api.client, 'cf');
  other = await createOrg(api.client, 'cfother');
  admin = clientAs(api, org, 'ADMIN');
  member = clientAs(api, org, 'MEMBER');
  sql = ownerSql(api);
  await createProject(api.client, org, 'CF');
  await createProject(api.client, org, 'CFREQ');
  await createProject(api.client, org, 'CFMANY');
  await createProject(api.client, other, 'CFX');
});
afterAll(async () => {
  await sql?.end();
  await api?.stop();
});

test('fields of every type are created by ADMINs, listed on the project, resolvable as nodes and audited', async () => {
  const created = await admin.ok(CREATE, { k: 'CF', n: ' Severity ', t: 'SELECT', o: ['low', 'high'] });
  expect(created.createCustomField).toMatchObject({ name: 'Severity', type: 'SELECT', options: ['low', 'high'], required: false });
  const id = created.createCustomField.id;
  for (const type of ['TEXT', 'NUMBER', 'DATE', 'USER']) await field('CF', `A ${type}`, type);
  const project = await member.ok(`{ project(key: "CF") { customFields { name type options } } }`);
  expect(project.project.customFields.map((f: any) => [f.name, f.type, f.options])).toEqual(
    expect.arrayContaining([['Severity', 'SELECT', ['low', 'high']], ['A TEXT', 'TEXT', []], ['A USER', 'USER', []]]),
  );
  const node = await member.ok(`query($id: ID!) { node(id: $id) { ... on CustomField { id name } } }`, { id });
  expect(node.node).toEqual({ id, name: 'Severity' });
  const audit = await clientAs(api, org, 'OWNER').ok(`{ auditLog(action: "custom_field.created", first: 10) { edges { node { targetId data } } } }`);
  expect(audit.auditLog.edges.map((e: any) => e.node.targetId)).toContain(id);
  // Refusals: a twin name, options on a non-SELECT field, a SELECT without options, a MEMBER.
  expect(refusal(await admin.request(CREATE, { k: 'CF', n: 'severity', t: 'TEXT' }))).toEqual({ code: 'CONFLICT', field: 'name' });
  expect(refusal(await admin.request(CREATE, { k: 'CF', n: 'X', t: 'TEXT', o: ['a'] }))).toEqual({ code: 'BAD_USER_INPUT', field: 'options' });
  expect(refusal(await admin.request(CREATE, { k: 'CF', n: 'X', t: 'SELECT', o: [] }))).toEqual({ code: 'BAD_USER_INPUT', field: 'options' });
  expect(refusal(await admin.request(CREATE, { k: 'CF', n: 'X', t: 'SELECT', o: Array.from({ length: 101 }, (_, i) => `o${i}`) }))).toEqual({ code: 'BAD_USER_INPUT', field: 'options' });
  expect(refusal(await member.request(CREATE, { k: 'CF', n: 'X', t: 'TEXT' })).code).toBe('FORBIDDEN');
});

test('a project holds at most 50 fields', async () => {
  for (let i = 0; i < 50; i++) await field('CFMANY', `F${i}`, 'TEXT');
  expect(refusal(await admin.request(CREATE, { k: 'CFMANY', n: 'one too many', t: 'TEXT' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'projectKey' });
  expect(await sql.count('custom_fields', `name = 'one too many'`)).toBe(0);
});

test('setIssueFields stores each type, bumps the version once, writes one history entry per changed field', async () => {
  const text = await field('CF', 'Notes', 'TEXT');
  const num = await field('CF', 'Estimate', 'NUMBER');
  const date = await field('CF', 'Launch', 'DATE');
  const who = await field('CF', 'Reviewer', 'USER');
  const { key } = await createIssue(api.client, org, { projectKey: 'CF', title: 'Valued' });
  const reviewer = org.users.MEMBER.id;
  const data = await member.ok(SET, { key, v: 1, values: [{ fieldId: text, value: 'hello' }, { fieldId: num, value: 2.5 }, { fieldId: date, value: '2026-02-28' }, { fieldId: who, value: reviewer }] });
  expect(data.setIssueFields.version).toBe(2);
  const values = Object.fromEntries(data.setIssueFields.customFields.map((v: any) => [v.field.id, v.value]));
  expect(values).toMatchObject({ [text]: 'hello', [num]: 2.5, [date]: '2026-02-28', [who]: reviewer });
  const read = await member.ok(READ, { key });
  expect(read.issue.history.edges.filter((e: any) => e.node.kind === 'UPDATED').map((e: any) => e.node.field).sort()).toEqual(
    [text, num, date, who].map((id) => `customField:${id}`).sort(),
  );
  // The same values again change nothing; a clear is one entry.
  expect((await member.ok(SET, { key, values: [{ fieldId: text, value: 'hello' }] })).setIssueFields.version).toBe(2);
  const cleared = await member.ok(SET, { key, values: [{ fieldId: text, value: null }] });
  expect(cleared.setIssueFields.version).toBe(3);
  expect((await member.ok(READ, { key })).issue.history.edges[0].node).toEqual({ kind: 'UPDATED', field: `customField:${text}`, from: 'hello', to: null });
  // A stale expectedVersion is a CONFLICT and writes nothing.
  const stale = await member.request(SET, { key, v: 1, values: [{ fieldId: num, value: 3 }] });
  expect(stale.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 3 });
  expect(refusal(await clientAs(api, org, 'VIEWER').request(SET, { key, values: [{ fieldId: num, value: 3 }] })).code).toBe('FORBIDDEN');
});

test('bad values are refused per type and write nothing: huge text, non-numbers, impossible dates, unknown options', async () => {
  const text = await field('CF', 'Summary', 'TEXT');
  const num = await field('CF', 'Points', 'NUMBER');
  const date = await field('CF', 'Due', 'DATE');
  const sel = await field('CF', 'Tier', 'SELECT', ['gold', 'silver']);
  const { key } = await createIssue(api.client, org, { projectKey: 'CF', title: 'Validated' });
  const cases: [string, unknown][] = [
    [text, 'x'.repeat(501)],
    [text, 'x'.repeat(200_000)],
    [text, ''],
    [text, { nested: true }],
    [num, '12'],
    [date, '2026-02-30'],
    [date, '2026-02-28T10:00:00Z'],
    [sel, 'bronze'],
    [sel, 1],
  ];
  for (const [fieldId, value] of cases) {
    const response = await member.request(SET, { key, values: [{ fieldId, value }] });
    expect({ value: String(value).slice(0, 20), refusal: refusal(response) }).toEqual({ value: String(value).slice(0, 20), refusal: { code: 'BAD_USER_INPUT', field: 'values' } });
  }
  expect(refusal(await member.request(SET, { key, values: [{ fieldId: num, value: 1 }, { fieldId: num, value: 2 }] }))).toEqual({ code: 'BAD_USER_INPUT', field: 'values' });
  expect((await member.ok(READ, { key })).issue.version).toBe(1);
  expect(await sql.count('custom_field_values v JOIN issues i ON i.id = v.issue_id', `i.title = 'Validated'`)).toBe(0);
});

test('a USER value must be a member: a removed member, an outsider and a made-up id are the same NOT_FOUND', async () => {
  const who = await field('CF', 'Owner', 'USER');
  const { key } = await createIssue(api.client, org, { projectKey: 'CF', title: 'Owned' });
  const leaving = await addQuickMember(api, org, 'MEMBER', 'leaving');
  await clientAs(api, org, 'OWNER').ok(`mutation($id: ID!) { removeMember(userId: $id) }`, { id: leaving.id });
  const outsider = await insertUser(api, 'outsider');
  const answers = [];
  for (const id of [leaving.id, outsider.id, other.owner.id, toGlobalId('User', randomUUID())]) {
    const response = await member.request(SET, { key, values: [{ fieldId: who, value: id }] });
    answers.push({ errors: response.errors, data: response.data });
  }
  expect(answers[0]!.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'values' });
  for (const answer of answers) expect(answer).toEqual(answers[0]);
});

test('a member who leaves is cleared from USER values, with a version bump and history, like an assignment', async () => {
  const who = await field('CF', 'Tester', 'USER');
  const { key } = await createIssue(api.client, org, { projectKey: 'CF', title: 'Tested' });
  const leaving = await addQuickMember(api, org, 'MEMBER', 'tester');
  await member.ok(SET, { key, values: [{ fieldId: who, value: leaving.id }] });
  await clientAs(api, org, 'OWNER').ok(`mutation($id: ID!) { removeMember(userId: $id) }`, { id: leaving.id });
  const read = await member.ok(READ, { key });
  expect(read.issue.version).toBe(3);
  expect(read.issue.customFields.find((v: any) => v.field.id === who).value).toBeNull();
  expect(read.issue.history.edges[0].node).toEqual({ kind: 'UPDATED', field: `customField:${who}`, from: leaving.id, to: null });
});

test("another tenant's field ids are NOT_FOUND like made-up ones, and a field of another project too", async () => {
  const { key } = await createIssue(api.client, org, { projectKey: 'CF', title: 'Foreign' });
  const theirs = (await api.client.ok(CREATE, { k: 'CFX', n: 'Theirs', t: 'TEXT' }, { token: other.owner.token, orgId: other.id })).createCustomField.id;
  const elsewhere = await field('CFREQ', 'Elsewhere', 'TEXT');
  const made = toGlobalId('CustomField', randomUUID());
  const answers = [];
  for (const fieldId of [theirs, elsewhere, made]) answers.push((await member.request(SET, { key, values: [{ fieldId, value: 'x' }] })).errors);
  expect(answers[0]![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'values' });
  expect(answers[1]).toEqual(answers[0]);
  expect(answers[2]).toEqual(answers[0]);
  for (const [query, vars] of [[UPDATE, { id: theirs, n: 'Mine' }], [DELETE, { id: theirs }]] as const) {
    expect(refusal(await admin.request(query, vars))).toEqual({ code: 'NOT_FOUND', field: 'id' });
  }
  expect((await member.ok(`query($id: ID!) { node(id: $id) { id } }`, { id: theirs })).node).toBeNull();
  expect((await member.ok(LIST, { f: { customFields: [{ fieldId: theirs, equals: 'x' }] } })).issues.totalCount).toBe(0);
});

test('a required field: createIssue needs it, updates cannot clear it, and a value given at creation is stored', async () => {
  const req = await field('CFREQ', 'Customer', 'TEXT', undefined, true);
  const create = `mutation($input: CreateIssueInput!) { createIssue(input: $input) { key version customFields { field { id } value } } }`;
  const refused = await member.request(create, { input: { projectKey: 'CFREQ', title: 'No customer' } });
  expect(refusal(refused)).toEqual({ code: 'BAD_USER_INPUT', field: 'customFields' });
  expect(await sql.count('issues', `title = 'No customer'`)).toBe(0);
  const made = await member.ok(create, { input: { projectKey: 'CFREQ', title: 'With customer', customFields: [{ fieldId: req, value: 'ACME' }] } });
  expect(made.createIssue.customFields).toContainEqual({ field: { id: req }, value: 'ACME' });
  expect(made.createIssue.version).toBe(1);
  const key = made.createIssue.key;
  expect(refusal(await member.request(SET, { key, values: [{ fieldId: req, value: null }] }))).toEqual({ code: 'BAD_USER_INPUT', field: 'values' });
  const update = `mutation($key: String!, $input: UpdateIssueInput!) { updateIssue(key: $key, input: $input) { version customFields { field { id } value } } }`;
  expect(refusal(await member.request(update, { key, input: { customFields: [{ fieldId: req, value: null }] } }))).toEqual({ code: 'BAD_USER_INPUT', field: 'customFields' });
  const changed = await member.ok(update, { key, input: { title: 'Renamed', customFields: [{ fieldId: req, value: 'Globex' }] } });
  expect(changed.updateIssue.version).toBe(2);
  expect(changed.updateIssue.customFields).toContainEqual({ field: { id: req }, value: 'Globex' });
});

test('updateIssues sets custom values on every issue, all or nothing, naming the issue whose value is refused', async () => {
  const sel = await field('CF', 'Squad', 'SELECT', ['red', 'blue']);
  await createProject(api.client, org, 'CFELSE');
  const keys = [];
  for (let i = 0; i < 3; i++) keys.push((await createIssue(api.client, org, { projectKey: 'CF', title: `Squad ${i}` })).key);
  const bulk = `mutation($keys: [String!]!, $input: UpdateIssueInput!) { updateIssues(keys: $keys, input: $input) { issues { key version customFields { field { id } value } } } }`;
  const data = await member.ok(bulk, { keys, input: { customFields: [{ fieldId: sel, value: 'blue' }] } });
  for (const issue of data.updateIssues.issues) {
    expect(issue.version).toBe(2);
    expect(issue.customFields).toContainEqual({ field: { id: sel }, value: 'blue' });
  }
  // The field is not of the second project's issue: nothing changes anywhere, and the key is named.
  const elsewhere = (await createIssue(api.client, org, { projectKey: 'CFELSE', title: 'Elsewhere' })).key;
  const refused = await member.request(bulk, { keys: [...keys, elsewhere], input: { customFields: [{ fieldId: sel, value: 'red' }] } });
  expect(refused.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'customFields', key: elsewhere });
  for (const key of keys) expect((await member.ok(READ, { key })).issue.version).toBe(2);
});

test('options are renamed by position and values follow (also a swap); removing a used option is refused', async () => {
  const sel = await field('CF', 'Stage', 'SELECT', ['alpha', 'beta', 'gamma']);
  const a = (await createIssue(api.client, org, { projectKey: 'CF', title: 'Stage A' })).key;
  const b = (await createIssue(api.client, org, { projectKey: 'CF', title: 'Stage B' })).key;
  await member.ok(SET, { key: a, values: [{ fieldId: sel, value: 'alpha' }] });
  await member.ok(SET, { key: b, values: [{ fieldId: sel, value: 'gamma' }] });
  const valueOf = async (key: string) => (await member.ok(READ, { key })).issue.customFields.find((v: any) => v.field.id === sel).value;
  const renamed = await admin.ok(UPDATE, { id: sel, n: 'Phase', o: ['gamma', 'beta', 'alpha', 'delta'] });
  expect(renamed.updateCustomField).toEqual({ id: sel, name: 'Phase', options: ['gamma', 'beta', 'alpha', 'delta'] });
  expect([await valueOf(a), await valueOf(b)]).toEqual(['gamma', 'alpha']);
  const used = await admin.request(UPDATE, { id: sel, o: ['gamma', 'beta'] });
  expect(refusal(used)).toEqual({ code: 'CONFLICT', field: 'options' });
  expect((await admin.ok(UPDATE, { id: sel, o: ['gamma', 'beta', 'alpha'] })).updateCustomField.options).toEqual(['gamma', 'beta', 'alpha']);
  expect(refusal(await admin.request(UPDATE, { id: sel, o: ['x', 'x', 'y'] }))).toEqual({ code: 'BAD_USER_INPUT', field: 'options' });
  const audit = await clientAs(api, org, 'OWNER').ok(`{ auditLog(action: "custom_field.updated", first: 1) { edges { node { targetId data } } } }`);
  expect(audit.auditLog.edges[0].node).toMatchObject({ targetId: sel, data: { to: { options: ['gamma', 'beta', 'alpha'] } } });
});

test('filters: every custom filter must match, through the values index', async () => {
  const sel = await field('CF', 'Color', 'SELECT', ['red', 'blue']);
  const num = await field('CF', 'Size', 'NUMBER');
  const who = await field('CF', 'Designer', 'USER');
  const keys = [];
  for (let i = 0; i < 4; i++) keys.push((await createIssue(api.client, org, { projectKey: 'CF', title: `Filtered ${i}` })).key);
  await member.ok(SET, { key: keys[0], values: [{ fieldId: sel, value: 'red' }, { fieldId: num, value: 1 }, { fieldId: who, value: org.users.ADMIN.id }] });
  await member.ok(SET, { key: keys[1], values: [{ fieldId: sel, value: 'red' }, { fieldId: num, value: 2 }] });
  await member.ok(SET, { key: keys[2], values: [{ fieldId: sel, value: 'blue' }, { fieldId: num, value: 1 }] });
  const found = async (customFields: unknown[]) => (await member.ok(LIST, { f: { customFields } })).issues.edges.map((e: any) => e.node.key).sort();
  expect(await found([{ fieldId: sel, equals: 'red' }])).toEqual([keys[0], keys[1]].sort());
  expect(await found([{ fieldId: sel, equals: 'red' }, { fieldId: num, equals: 1.0 }])).toEqual([keys[0]]);
  expect(await found([{ fieldId: who, equals: org.users.ADMIN.id }])).toEqual([keys[0]]);
  expect(await found([{ fieldId: num, equals: true }])).toEqual([]);
});

test('deleting a field removes its values and is audited; racing a write, one of them lands first and no value survives', async () => {
  const gone = await field('CF', 'Temporary', 'TEXT');
  const { key } = await createIssue(api.client, org, { projectKey: 'CF', title: 'Loses a field' });
  await member.ok(SET, { key, values: [{ fieldId: gone, value: 'bye' }] });
  expect((await admin.ok(DELETE, { id: gone })).deleteCustomField).toBe(true);
  expect((await member.ok(READ, { key })).issue.customFields.map((v: any) => v.field.id)).not.toContain(gone);
  expect(refusal(await member.request(SET, { key, values: [{ fieldId: gone, value: 'again' }] }))).toEqual({ code: 'NOT_FOUND', field: 'values' });
  for (let round = 0; round < 4; round++) {
    const racing = await field('CF', `Racing ${round}`, 'TEXT');
    const [write, removal] = await Promise.all([member.request(SET, { key, values: [{ fieldId: racing, value: `v${round}` }] }), admin.request(DELETE, { id: racing })]);
    expect(removal.errors).toBeUndefined();
    expect([write.status, write.errors?.[0]?.extensions?.code ?? 'OK']).toEqual([200, expect.stringMatching(/^(OK|NOT_FOUND)$/)]);
  }
  expect(await sql.count('custom_field_values v LEFT JOIN custom_fields f ON f.id = v.field_id', 'f.id IS NULL')).toBe(0);
  const audit = await clientAs(api, org, 'OWNER').ok(`{ auditLog(action: "custom_field.deleted", first: 10) { totalCount } }`);
  expect(audit.auditLog.totalCount).toBeGreaterThanOrEqual(5);
});
