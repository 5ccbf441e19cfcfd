// The rules around OWNERs that the role matrix can't show one call at a time: an organization
// always keeps at least one OWNER, even when two OWNERs demote each other at the same moment.
import { startTestApi, type TestApi } from '../support/test-server';
import { createOrg, type TestOrg } from '../support/fixtures';
import { errorCode } from '../support/graphql-client';
import { snapshotTables } from '../support/db-snapshot';
import { addQuickMember } from '../support/quick-members';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi('members');
});

afterAll(() => api?.stop());

const REMOVE = `mutation($id: ID!) { removeMember(userId: $id) }`;
const SET_ROLE = `mutation($id: ID!, $role: Role!) { updateMemberRole(userId: $id, role: $role) { role } }`;

async function owners(org: TestOrg): Promise<string[]> {
  const data = await api.client.ok(`{ organization { members { edges { node { role user { id } } } } } }`, {}, { token: org.users.VIEWER.token, orgId: org.id });
  return data.organization.members.edges.filter((e: { node: { role: string } }) => e.node.role === 'OWNER').map((e: { node: { user: { id: string } } }) => e.node.user.id);
}

test('the last OWNER can neither leave nor demote themself, and nothing changes', async () => {
  const org = await createOrg(api.client, 'last');
  const before = await snapshotTables(api.database.ownerUrl);
  const owner = { token: org.owner.token, orgId: org.id };
  const leave = await api.client.request(REMOVE, { id: org.owner.id }, owner);
  expect(errorCode(leave)).toBe('BAD_USER_INPUT');
  expect(leave.errors![0]!.message).toMatch(/last OWNER/);
  const demote = await api.client.request(SET_ROLE, { id: org.owner.id, role: 'ADMIN' }, owner);
  expect(errorCode(demote)).toBe('BAD_USER_INPUT');
  expect(demote.errors![0]!.extensions!.field).toBe('role');
  expect(await snapshotTables(api.database.ownerUrl)).toEqual(before);
  expect(await owners(org)).toEqual([org.owner.id]);
});

test('with a second OWNER, the first may step down or leave', async () => {
  const org = await createOrg(api.client, 'second');
  const second = await addQuickMember(api, org, 'OWNER');
  await api.client.ok(SET_ROLE, { id: org.owner.id, role: 'ADMIN' }, { token: second.token, orgId: org.id });
  await api.client.ok(REMOVE, { id: org.owner.id }, { token: org.owner.token, orgId: org.id });
  expect(await owners(org)).toEqual([second.id]);
  const gone = await api.client.request(`{ organization { id } }`, {}, { token: org.owner.token, orgId: org.id });
  expect(errorCode(gone)).toBe('FORBIDDEN');
});

test('an ADMIN may promote a MEMBER to ADMIN but not touch an OWNER', async () => {
  const org = await createOrg(api.client, 'admin');
  const admin = { token: org.users.ADMIN.token, orgId: org.id };
  await api.client.ok(SET_ROLE, { id: org.users.MEMBER.id, role: 'ADMIN' }, admin);
  expect(errorCode(await api.client.request(SET_ROLE, { id: org.owner.id, role: 'MEMBER' }, admin))).toBe('FORBIDDEN');
  expect(errorCode(await api.client.request(REMOVE, { id: org.owner.id }, admin))).toBe('FORBIDDEN');
  expect(errorCode(await api.client.request(SET_ROLE, { id: org.users.ADMIN.id, role: 'OWNER' }, admin))).toBe('FORBIDDEN');
  expect(await owners(org)).toEqual([org.owner.id]);
});

test('two OWNERs demoting each other at the same moment leave exactly one OWNER', async () => {
  for (let round = 0; round < 3; round++) {
    const org = await createOrg(api.client, `race${round}`);
    const second = await addQuickMember(api, org, 'OWNER');
    const [first, other] = await Promise.all([
      api.client.request(SET_ROLE, { id: second.id, role: 'ADMIN' }, { token: org.owner.token, orgId: org.id }),
      api.client.request(SET_ROLE, { id: org.owner.id, role: 'ADMIN' }, { token: second.token, orgId: org.id }),
    ]);
    expect([first, other].filter((response) => !response.errors)).toHaveLength(1);
    expect(await owners(org)).toHaveLength(1);
  }
});

test('a removed member leaves no reference behind: assignments unassigned with history, leads cleared, watches ended', async () => {
  const org = await createOrg(api.client, 'leaving');
  const admin = { token: org.users.ADMIN.token, orgId: org.id };
  const member = org.users.MEMBER;
  await api.client.ok(`mutation($input: CreateProjectInput!) { createProject(input: $input) { key } }`, { input: { key: 'LV', name: 'Leaving', leadId: member.id } }, admin);
  const issue = await api.client.ok(`mutation($input: CreateIssueInput!) { createIssue(input: $input) { key version } }`, { input: { projectKey: 'LV', title: 'Theirs', assigneeId: member.id } }, admin);
  await api.client.ok(`mutation { watchIssue(key: "${issue.createIssue.key}") { key } }`, {}, { token: member.token, orgId: org.id });
  await api.client.ok(REMOVE, { id: member.id }, admin);
  const after = await api.client.ok(
    `{ project(key: "LV") { lead { id } } issue(key: "${issue.createIssue.key}") { version assignee { id } watchers { id } history(first: 1) { edges { node { kind field from to actor { id } } } } } }`,
    {},
    admin,
  );
  expect(after.project.lead).toBeNull();
  expect(after.issue).toMatchObject({ version: issue.createIssue.version + 1, assignee: null, watchers: [] });
  expect(after.issue.history.edges[0].node).toEqual({ kind: 'UPDATED', field: 'assignee', from: member.id, to: null, actor: { id: org.users.ADMIN.id } });
});
