// Who may call which operation, over HTTP. The tables below are the spec (the role matrix in
// docs/using/roles.md is these tables, row for row; a test below holds the two equal): each row runs once per role with a fresh member of that role; an
// allowed call must succeed, a refused one must be FORBIDDEN and (for a mutation) write
// nothing. An operation of the schema without a row (or a NO_TENANT entry) fails a test.
import { startTestApi, type TestApi } from '../support/test-server';
import { createIssue, createOrg, createProject, uniqueSuffix, type RoleName, type TestOrg, type TestUser } from '../support/fixtures';
import { documentFor, findOperation, rootOperations } from '../support/operation-document';
import { snapshotTables } from '../support/db-snapshot';
import { addQuickMember, insertUser, setRole } from '../support/quick-members';
import { COMPLETE_UPLOAD, createUpload, putBytes } from '../support/attachment-upload';
import { markedTable, plain } from '../support/markdown-tables';

const ROLES: readonly RoleName[] = ['VIEWER', 'MEMBER', 'ADMIN', 'OWNER'];
const ANYONE = ROLES;
const MEMBER_UP: readonly RoleName[] = ['MEMBER', 'ADMIN', 'OWNER'];
const ADMIN_UP: readonly RoleName[] = ['ADMIN', 'OWNER'];
const OWNER_ONLY: readonly RoleName[] = ['OWNER'];
const NOBODY: readonly RoleName[] = [];

/** Mutations outside any organization: any signed-in caller (or anyone) may call them. */
const NO_TENANT = ['signUp', 'logIn', 'refreshSession', 'createApiToken', 'revokeApiToken', 'createOrganization', 'acceptInvitation'];
/** Queries outside any organization: the caller's own account, memberships, tokens and rate-limit budget. */
const NO_TENANT_QUERIES = ['viewer', 'organizations', 'apiTokens', 'rateLimit'];

interface Case {
  readonly actor: TestUser;
  readonly role: RoleName;
  /** Runs as the org's OWNER. */
  owner<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  newProject(): Promise<string>;
  newIssue(): Promise<string>;
  /** A new member with `role`, or (null) an account outside the organization. */
  newMember(role: RoleName | null): Promise<TestUser>;
  /** A comment written by `author` (promoted to MEMBER just long enough, if need be). */
  commentBy(author: TestUser, authorRole: RoleName): Promise<string>;
  /** An attachment uploaded by `author` (bytes in the store), completed if asked. */
  attachmentBy(author: TestUser, authorRole: RoleName, complete: boolean): Promise<string>;
}

interface Row {
  readonly mutation: string;
  readonly scenario: string;
  readonly allowed: readonly RoleName[];
  readonly variables: (c: Case) => Promise<Record<string, unknown>>;
}

const SPEC: readonly Row[] = [
  // Members: OWNER and ADMIN manage members; only an OWNER grants, changes or removes OWNER.
  { mutation: 'inviteMember', scenario: 'as MEMBER', allowed: ADMIN_UP, variables: async (c) => ({ email: (await c.newMember(null)).email, role: 'MEMBER' }) },
  { mutation: 'inviteMember', scenario: 'as OWNER', allowed: OWNER_ONLY, variables: async (c) => ({ email: (await c.newMember(null)).email, role: 'OWNER' }) },
  { mutation: 'revokeInvitation', scenario: 'of a pending MEMBER invitation', allowed: ADMIN_UP, variables: async (c) => ({ id: await newInvitation(c, 'MEMBER') }) },
  { mutation: 'revokeInvitation', scenario: 'of a pending OWNER invitation', allowed: OWNER_ONLY, variables: async (c) => ({ id: await newInvitation(c, 'OWNER') }) },
  { mutation: 'updateMemberRole', scenario: 'of a MEMBER to ADMIN', allowed: ADMIN_UP, variables: async (c) => ({ userId: (await c.newMember('MEMBER')).id, role: 'ADMIN' }) },
  { mutation: 'updateMemberRole', scenario: 'of an ADMIN to OWNER', allowed: OWNER_ONLY, variables: async (c) => ({ userId: (await c.newMember('ADMIN')).id, role: 'OWNER' }) },
  { mutation: 'updateMemberRole', scenario: 'of another OWNER to ADMIN', allowed: OWNER_ONLY, variables: async (c) => ({ userId: (await c.newMember('OWNER')).id, role: 'ADMIN' }) },
  { mutation: 'removeMember', scenario: 'who is a MEMBER', allowed: ADMIN_UP, variables: async (c) => ({ userId: (await c.newMember('MEMBER')).id }) },
  { mutation: 'removeMember', scenario: 'who is another OWNER', allowed: OWNER_ONLY, variables: async (c) => ({ userId: (await c.newMember('OWNER')).id }) },
  { mutation: 'removeMember', scenario: 'themselves (leaving)', allowed: ANYONE, variables: async (c) => ({ userId: c.actor.id }) },
  // Projects, labels, sprints: ADMIN and up.
  { mutation: 'createProject', scenario: 'with a new key', allowed: ADMIN_UP, variables: async () => ({ input: { key: newKey(), name: 'New' } }) },
  { mutation: 'updateProject', scenario: 'renaming it', allowed: ADMIN_UP, variables: async (c) => ({ key: await c.newProject(), input: { name: 'Renamed' } }) },
  { mutation: 'archiveProject', scenario: 'of an active project', allowed: ADMIN_UP, variables: async (c) => ({ key: await c.newProject() }) },
  { mutation: 'unarchiveProject', scenario: 'of an archived project', allowed: ADMIN_UP, variables: async (c) => ({ key: await archivedProject(c) }) },
  { mutation: 'deleteProject', scenario: 'with the key confirmed', allowed: OWNER_ONLY, variables: async (c) => { const key = await c.newProject(); return { key, confirmKey: key }; } },
  { mutation: 'createLabel', scenario: 'in a project', allowed: ADMIN_UP, variables: async (c) => ({ projectKey: await c.newProject(), name: 'bug', color: '#FF0000' }) },
  { mutation: 'createWorkflowState', scenario: 'in a project', allowed: ADMIN_UP, variables: async (c) => ({ input: { projectKey: await c.newProject(), name: 'Blocked', category: 'IN_PROGRESS' } }) },
  { mutation: 'updateWorkflowState', scenario: 'renaming and moving it', allowed: ADMIN_UP, variables: async (c) => ({ id: (await workflowOf(c))[1], input: { name: 'Doing', position: 0 } }) },
  { mutation: 'deleteWorkflowState', scenario: 'moving its issues', allowed: ADMIN_UP, variables: async (c) => { const [first, second] = await workflowOf(c); return { id: first, moveIssuesToStateId: second }; } },
  { mutation: 'setWorkflowTransitions', scenario: 'of a state', allowed: ADMIN_UP, variables: async (c) => { const [first, , , last] = await workflowOf(c); return { fromStateId: first, toStateIds: [last] }; } },
  { mutation: 'updateLabel', scenario: 'renaming it', allowed: ADMIN_UP, variables: async (c) => ({ id: await newLabel(c), name: 'renamed' }) },
  { mutation: 'deleteLabel', scenario: 'of a project', allowed: ADMIN_UP, variables: async (c) => ({ id: await newLabel(c) }) },
  { mutation: 'createCustomField', scenario: 'in a project', allowed: ADMIN_UP, variables: async (c) => ({ projectKey: await c.newProject(), name: 'Team', type: 'TEXT' }) },
  { mutation: 'updateCustomField', scenario: 'renaming it', allowed: ADMIN_UP, variables: async (c) => ({ id: await newCustomField(c), name: 'Renamed' }) },
  { mutation: 'deleteCustomField', scenario: 'of a project', allowed: ADMIN_UP, variables: async (c) => ({ id: await newCustomField(c) }) },
  { mutation: 'createSprint', scenario: 'in a project', allowed: ADMIN_UP, variables: async (c) => ({ input: { projectKey: await c.newProject(), name: 'Sprint 1' } }) },
  { mutation: 'startSprint', scenario: 'a PLANNED sprint', allowed: ADMIN_UP, variables: async (c) => ({ id: await newSprint(c, false) }) },
  { mutation: 'completeSprint', scenario: 'an ACTIVE sprint', allowed: ADMIN_UP, variables: async (c) => ({ id: await newSprint(c, true) }) },
  { mutation: 'updateSprint', scenario: 'renaming it', allowed: ADMIN_UP, variables: async (c) => ({ id: await newSprint(c, false), input: { name: 'Renamed' } }) },
  { mutation: 'deleteSprint', scenario: 'a PLANNED sprint', allowed: ADMIN_UP, variables: async (c) => ({ id: await newSprint(c, false) }) },
  // Issues: MEMBER and up; watching changes no issue, so VIEWERs may.
  { mutation: 'createIssue', scenario: 'in a project', allowed: MEMBER_UP, variables: async (c) => ({ input: { projectKey: await c.newProject(), title: 'New' } }) },
  { mutation: 'updateIssue', scenario: 'its title', allowed: MEMBER_UP, variables: async (c) => ({ key: await c.newIssue(), input: { title: 'Changed' } }) },
  { mutation: 'transitionIssue', scenario: 'along an allowed transition', allowed: MEMBER_UP, variables: transitionVariables },
  { mutation: 'updateIssues', scenario: 'two titles', allowed: MEMBER_UP, variables: async (c) => ({ keys: [await c.newIssue(), await c.newIssue()], input: { title: 'Changed' } }) },
  { mutation: 'transitionIssues', scenario: 'along an allowed transition', allowed: MEMBER_UP, variables: async (c) => { const { key, toStateId } = await transitionVariables(c); return { keys: [key], toStateId }; } },
  { mutation: 'setIssueFields', scenario: 'a value of the project\'s field', allowed: MEMBER_UP, variables: async (c) => ({ key: await c.newIssue(), values: [{ fieldId: await rolesField(c), value: 'set' }] }) },
  { mutation: 'rankIssue', scenario: 'after another issue', allowed: MEMBER_UP, variables: async (c) => ({ key: await c.newIssue(), afterKey: await c.newIssue() }) },
  { mutation: 'deleteIssue', scenario: 'a live issue', allowed: MEMBER_UP, variables: async (c) => ({ key: await c.newIssue() }) },
  { mutation: 'linkIssues', scenario: 'two issues', allowed: MEMBER_UP, variables: async (c) => ({ fromKey: await c.newIssue(), toKey: await c.newIssue(), type: 'BLOCKS' }) },
  { mutation: 'unlinkIssues', scenario: 'a link', allowed: MEMBER_UP, variables: unlinkVariables },
  { mutation: 'watchIssue', scenario: 'an issue', allowed: ANYONE, variables: async (c) => ({ key: await c.newIssue() }) },
  { mutation: 'unwatchIssue', scenario: 'an issue', allowed: ANYONE, variables: async (c) => ({ key: await c.newIssue() }) },
  // Notifications: every member reads and marks their own.
  { mutation: 'markNotificationsRead', scenario: 'all of their own', allowed: ANYONE, variables: async () => ({ all: true }) },
  // Comments: members write; only the author edits; the author or an ADMIN deletes.
  { mutation: 'addComment', scenario: 'on an issue', allowed: MEMBER_UP, variables: async (c) => ({ issueKey: await c.newIssue(), body: 'Hello' }) },
  { mutation: 'updateComment', scenario: 'they wrote', allowed: MEMBER_UP, variables: async (c) => ({ id: await c.commentBy(c.actor, c.role), body: 'Edited' }) },
  { mutation: 'updateComment', scenario: 'someone else wrote', allowed: NOBODY, variables: async (c) => ({ id: await c.commentBy(await c.newMember('MEMBER'), 'MEMBER'), body: 'Edited' }) },
  { mutation: 'deleteComment', scenario: 'they wrote', allowed: MEMBER_UP, variables: async (c) => ({ id: await c.commentBy(c.actor, c.role) }) },
  { mutation: 'deleteComment', scenario: 'someone else wrote', allowed: ADMIN_UP, variables: async (c) => ({ id: await c.commentBy(await c.newMember('MEMBER'), 'MEMBER') }) },
  // Attachments: members upload; the uploader or an ADMIN deletes.
  { mutation: 'createAttachmentUpload', scenario: 'on an issue', allowed: MEMBER_UP, variables: async (c) => ({ issueKey: await c.newIssue(), fileName: 'a.txt', contentType: 'text/plain', size: 3 }) },
  { mutation: 'completeAttachmentUpload', scenario: 'of their own upload', allowed: MEMBER_UP, variables: async (c) => ({ id: await c.attachmentBy(c.actor, c.role, false) }) },
  { mutation: 'deleteAttachment', scenario: 'they uploaded', allowed: MEMBER_UP, variables: async (c) => ({ id: await c.attachmentBy(c.actor, c.role, true) }) },
  { mutation: 'deleteAttachment', scenario: 'someone else uploaded', allowed: ADMIN_UP, variables: async (c) => ({ id: await c.attachmentBy(await c.newMember('MEMBER'), 'MEMBER', true) }) },
  // Webhooks: ADMIN and up.
  { mutation: 'createWebhook', scenario: 'on a project', allowed: ADMIN_UP, variables: async (c) => ({ projectKey: await c.newProject(), url: 'http://127.0.0.1:9/hook', events: ['*'] }) },
  { mutation: 'deleteWebhook', scenario: 'of a project', allowed: ADMIN_UP, variables: async (c) => ({ id: (await newWebhook(c)).webhookId }) },
  { mutation: 'redeliverWebhook', scenario: 'a delivery', allowed: ADMIN_UP, variables: async (c) => ({ deliveryId: (await newWebhook(c, true)).deliveryId }) },
];

/** Reads: every role reads its organization, except webhooks (their URLs and deliveries). */
const QUERY_SPEC: readonly Row[] = [
  { mutation: 'organization', scenario: 'named by x-org-id', allowed: ANYONE, variables: async () => ({}) },
  { mutation: 'projects', scenario: 'of the organization', allowed: ANYONE, variables: async () => ({}) },
  { mutation: 'project', scenario: 'by key', allowed: ANYONE, variables: async (c) => ({ key: await c.newProject() }) },
  { mutation: 'issue', scenario: 'by key', allowed: ANYONE, variables: async (c) => ({ key: await c.newIssue() }) },
  { mutation: 'issues', scenario: 'of the organization', allowed: ANYONE, variables: async () => ({}) },
  { mutation: 'node', scenario: 'an issue by id', allowed: ANYONE, variables: async () => ({ id: (await createIssue(api.client, org, { projectKey: PROJECT_KEY, title: 'By id' })).id }) },
  { mutation: 'auditLog', scenario: 'of the organization', allowed: ADMIN_UP, variables: async () => ({}) },
  { mutation: 'notifications', scenario: 'their own', allowed: ANYONE, variables: async () => ({ unreadOnly: true }) },
  { mutation: 'invitations', scenario: 'pending in the organization', allowed: ADMIN_UP, variables: async () => ({}) },
  { mutation: 'webhooks', scenario: 'of a project', allowed: ADMIN_UP, variables: async (c) => ({ projectKey: await c.newProject() }) },
  { mutation: 'webhookDeliveries', scenario: 'of a webhook', allowed: ADMIN_UP, variables: async (c) => ({ webhookId: (await newWebhook(c)).webhookId }) },
];

function newKey(): string {
  return `P${uniqueSuffix().toUpperCase()}`;
}

/** A webhook on a new project, with one (PENDING: no worker runs here) delivery if asked. */
async function newWebhook(c: Case, withDelivery = false): Promise<{ webhookId: string; deliveryId?: string }> {
  const projectKey = await c.newProject();
  const created = await c.owner(`mutation($k: String!) { createWebhook(projectKey: $k, url: "http://127.0.0.1:9/hook", events: ["*"]) { webhook { id } } }`, { k: projectKey });
  const webhookId = created.createWebhook.webhook.id;
  if (!withDelivery) return { webhookId };
  await c.owner(`mutation($input: CreateIssueInput!) { createIssue(input: $input) { id } }`, { input: { projectKey, title: 'Delivered' } });
  const deliveries = await c.owner(`query($w: ID!) { webhookDeliveries(webhookId: $w, first: 1) { edges { node { id } } } }`, { w: webhookId });
  return { webhookId, deliveryId: deliveries.webhookDeliveries.edges[0].node.id };
}

/** The state ids of a new project's workflow, in board order. */
async function workflowOf(c: Case): Promise<string[]> {
  const data = await c.owner(`query($k: String!) { project(key: $k) { workflow { id } } }`, { k: await c.newProject() });
  return data.project.workflow.map((state: { id: string }) => state.id);
}

async function archivedProject(c: Case): Promise<string> {
  const key = await c.newProject();
  await c.owner(`mutation($k: String!) { archiveProject(key: $k) { key } }`, { k: key });
  return key;
}

async function newLabel(c: Case): Promise<string> {
  const data = await c.owner(`mutation($k: String!) { createLabel(projectKey: $k, name: "l", color: "#123456") { id } }`, { k: await c.newProject() });
  return data.createLabel.id;
}

async function newCustomField(c: Case): Promise<string> {
  const data = await c.owner(`mutation($k: String!) { createCustomField(projectKey: $k, name: "f", type: TEXT) { id } }`, { k: await c.newProject() });
  return data.createCustomField.id;
}

let rolesFieldId: string | undefined;
/** A TEXT field of the project newIssue() creates issues in (made once). */
async function rolesField(c: Case): Promise<string> {
  rolesFieldId ??= (await c.owner(`mutation($k: String!) { createCustomField(projectKey: $k, name: "Notes", type: TEXT) { id } }`, { k: PROJECT_KEY })).createCustomField.id;
  return rolesFieldId!;
}

async function newInvitation(c: Case, role: RoleName): Promise<string> {
  const data = await c.owner(`mutation($e: String!, $r: Role!) { inviteMember(email: $e, role: $r) { invitation { id } } }`, { e: `invitee-${uniqueSuffix()}@example.com`, r: role });
  return data.inviteMember.invitation.id;
}

async function newSprint(c: Case, started: boolean): Promise<string> {
  const data = await c.owner(`mutation($input: CreateSprintInput!) { createSprint(input: $input) { id } }`, { input: { projectKey: await c.newProject(), name: 'S' } });
  if (started) await c.owner(`mutation($id: ID!) { startSprint(id: $id) { id } }`, { id: data.createSprint.id });
  return data.createSprint.id;
}

async function transitionVariables(c: Case): Promise<Record<string, unknown>> {
  const key = await c.newIssue();
  const data = await c.owner(`query($key: String!) { issue(key: $key) { status { transitionsTo { id } } } }`, { key });
  return { key, toStateId: data.issue.status.transitionsTo[0].id };
}

async function unlinkVariables(c: Case): Promise<Record<string, unknown>> {
  const data = await c.owner(`mutation($f: String!, $t: String!) { linkIssues(fromKey: $f, toKey: $t, type: RELATES_TO) { id } }`, { f: await c.newIssue(), t: await c.newIssue() });
  return { linkId: data.linkIssues.id };
}

let api: TestApi;
let org: TestOrg;
const PROJECT_KEY = 'ROLES';

beforeAll(async () => {
  // No webhook worker: its attempts would change rows under the "wrote nothing" snapshots.
  api = await startTestApi('roles', { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_WORKER_CONCURRENCY: '0' });
  org = await createOrg(api.client, 'roles');
  await createProject(api.client, org, PROJECT_KEY);
});

afterAll(() => api?.stop());

function caseFor(actor: TestUser, role: RoleName): Case {
  const owner = (query: string, variables: Record<string, unknown> = {}) => api.client.ok(query, variables, { token: org.owner.token, orgId: org.id });
  return {
    actor,
    role,
    owner,
    async newProject() {
      const key = newKey();
      await createProject(api.client, org, key);
      return key;
    },
    newIssue: async () => (await createIssue(api.client, org, { projectKey: PROJECT_KEY, title: 'An issue' })).key,
    newMember: (memberRole) => (memberRole === null ? insertUser(api) : addQuickMember(api, org, memberRole)),
    async commentBy(author, authorRole) {
      const canWrite = authorRole !== 'VIEWER';
      if (!canWrite) await setRole(api, org, author, 'MEMBER');
      const data = await api.client.ok(`mutation($k: String!) { addComment(issueKey: $k, body: "Mine") { id } }`, { k: await this.newIssue() }, { token: author.token, orgId: org.id });
      if (!canWrite) await setRole(api, org, author, authorRole);
      return data.addComment.id;
    },
    async attachmentBy(author, authorRole, complete) {
      const canWrite = authorRole !== 'VIEWER';
      if (!canWrite) await setRole(api, org, author, 'MEMBER');
      const caller = { token: author.token, orgId: org.id };
      const client = { ok: (q: string, v: Record<string, unknown> = {}) => api.client.ok(q, v, caller), request: (q: string, v: Record<string, unknown> = {}) => api.client.request(q, v, caller) };
      const bytes = Buffer.from('abc');
      const upload = await createUpload(client, await this.newIssue(), bytes);
      expect((await putBytes(upload, api.server.url, bytes)).status).toBe(200);
      if (complete) await client.ok(COMPLETE_UPLOAD, { id: upload.attachment.id });
      if (!canWrite) await setRole(api, org, author, authorRole);
      return upload.attachment.id;
    },
  };
}

test('the spec has a row for every mutation of the schema, and only for those', () => {
  const mutations = rootOperations().filter((operation) => operation.kind === 'mutation').map((operation) => operation.name);
  const specified = new Set([...SPEC.map((row) => row.mutation), ...NO_TENANT]);
  expect(mutations.filter((name) => !specified.has(name))).toEqual([]);
  expect([...specified].filter((name) => !mutations.includes(name))).toEqual([]);
});

test('the role matrix in docs/using/roles.md is this spec, row for row (mutations, then queries)', () => {
  const table = markedTable('docs/using/roles.md', 'role-matrix');
  expect(table.header).toEqual(['operation', 'case', ...ROLES]);
  const documented = table.rows.map(([operation, scenario, ...marks]) => [plain(operation!), scenario, ...marks]);
  const specified = [...SPEC, ...QUERY_SPEC].map((row) => [row.mutation, row.scenario, ...ROLES.map((role) => (row.allowed.includes(role) ? '✓' : '–'))]);
  expect(documented).toEqual(specified);
});

test('the read spec has a row for every organization query of the schema, and only for those', () => {
  const queries = rootOperations().filter((operation) => operation.kind === 'query').map((operation) => operation.name);
  const specified = new Set([...QUERY_SPEC.map((row) => row.mutation), ...NO_TENANT_QUERIES]);
  expect(queries.filter((name) => !specified.has(name))).toEqual([]);
  expect([...specified].filter((name) => !queries.includes(name))).toEqual([]);
});

describe.each(QUERY_SPEC.map((row) => [`query ${row.mutation} ${row.scenario}`, row] as const))('%s', (_title, row) => {
  test.each(ROLES.map((role) => [role, row.allowed.includes(role) ? 'may' : 'is FORBIDDEN to'] as const))('a fresh %s %s read it', async (role, verdict) => {
    const actor = await addQuickMember(api, org, role);
    const variables = await row.variables(caseFor(actor, role));
    const response = await api.client.request(documentFor(findOperation(row.mutation), variables, 0), variables, { token: actor.token, orgId: org.id });
    if (verdict === 'may') {
      expect(response.errors).toBeUndefined();
      expect(response.data?.[row.mutation]).not.toBeNull();
    } else {
      expect(response.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(response.status).toBe(403);
    }
  });
});

describe.each(SPEC.map((row) => [`${row.mutation} ${row.scenario}`, row] as const))('%s', (_title, row) => {
  test.each(ROLES.map((role) => [role, row.allowed.includes(role) ? 'may' : 'is FORBIDDEN to'] as const))('a fresh %s %s do it', async (role, verdict) => {
    const actor = await addQuickMember(api, org, role);
    const variables = await row.variables(caseFor(actor, role));
    const document = documentFor(findOperation(row.mutation), variables, 0);
    const before = verdict === 'may' ? undefined : await snapshotTables(api.database.ownerUrl);
    const response = await api.client.request(document, variables, { token: actor.token, orgId: org.id });
    if (verdict === 'may') {
      expect(response.errors).toBeUndefined();
    } else {
      expect(response.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(response.status).toBe(403);
      expect(await snapshotTables(api.database.ownerUrl)).toEqual(before);
    }
  });
});
