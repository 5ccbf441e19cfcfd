// Tenant isolation as a client sees it: every query and mutation of the schema, called by
// each role of organization A with org B's ids and keys, must answer exactly as for ids that
// exist nowhere, show none of B's data, and write nothing. The operation list comes from the
// schema: an operation without a row below fails the first test, so new ones can't slip by.
import { startTestApi, type TestApi } from '../support/test-server';
import type { GraphqlResponse } from '../support/graphql-client';
import type { RoleName } from '../support/fixtures';
import { documentFor, rootOperations } from '../support/operation-document';
import { snapshotTables, type Snapshot } from '../support/db-snapshot';
import { buildTenant, leakedSecrets, randomRefs, type Tenant, type TenantRefs } from '../support/tenant-world';

type Variables = Record<string, unknown>;
/** `ref`: the records under test (org B's, or random); `own`: org A's, for the other arguments. */
type Fill = (ref: TenantRefs, own: TenantRefs) => Variables[];

/** Operations that name no tenant record, so there is nothing of B's to pass them. */
const EXEMPT: Readonly<Record<string, string>> = {
  viewer: 'the caller themself',
  organizations: "the caller's own memberships",
  signUp: 'creates an account; no tenant yet',
  logIn: 'takes credentials, not references',
  refreshSession: 'takes a secret, not a reference (tokens.test.ts covers it)',
  createApiToken: "creates a token of the caller's own",
  createOrganization: 'creates a new tenant',
  apiTokens: "the caller's own API tokens (api-tokens.test.ts: node(id:) of another user's token is null)",
  inviteMember: 'takes an email and a role, not references; invitations.test.ts: inviting into another organization is FORBIDDEN exactly as into none',
  rateLimit: "the caller's own budget; takes no references",
};

/** Subscriptions run over graphql-ws, not HTTP: where their tenant checks live instead. */
const OVER_WEBSOCKET: Readonly<Record<string, string>> = {
  issueEvents: "realtime-fanout.test.ts: another tenant's projectKey is NOT_FOUND and never yields an event",
  notificationAdded: "realtime-notifications.test.ts: only the viewer's own, in the organization of x-org-id; another tenant's member gets none",
};

/** How to fill each operation's arguments. Every variant also runs with B's x-org-id. */
const FILL: Readonly<Record<string, Fill>> = {
  organization: () => [{}],
  projects: () => [{ includeArchived: true, first: 100 }],
  project: (r) => [{ key: r.projectKey }],
  issue: (r) => [{ key: r.issueKey }],
  issues: (r, own) => [
    { filter: { statusIds: [r.stateId] } },
    { filter: { assigneeIds: [r.userId] } },
    { filter: { reporterIds: [r.userId] } },
    { filter: { labelIds: [r.labelId] } },
    { filter: { sprintId: r.activeSprintId } },
    { filter: { parentKey: r.issueKey } },
    { filter: { text: r.issueTitle } },
    { filter: { customFields: [{ fieldId: r.customFieldId, equals: 'x' }] } },
    { filter: { customFields: [{ fieldId: own.userFieldId, equals: r.userId }] } },
  ],
  node: (r) => [r.orgId, r.projectId, r.issueId, r.commentId, r.sprintId, r.userId, r.labelId, r.stateId, r.linkId, r.eventId, r.apiTokenId, r.invitationId, r.auditEntryId, r.attachmentId, r.customFieldId].map((id) => ({ id })),
  revokeApiToken: (r) => [{ id: r.apiTokenId }],
  invitations: () => [{}],
  revokeInvitation: (r) => [{ id: r.invitationId }],
  // B's invitation secret in the hands of A's members: as good as a made-up one.
  acceptInvitation: (r) => [{ token: r.invitationToken }],
  updateMemberRole: (r) => [{ userId: r.userId, role: 'MEMBER' }],
  removeMember: (r) => [{ userId: r.userId }],
  createProject: (r) => [{ input: { key: 'NEWPROJ', name: 'New', leadId: r.userId } }],
  updateProject: (r, own) => [
    { key: r.projectKey, input: { name: 'Renamed' } },
    { key: own.projectKey, input: { leadId: r.userId } },
  ],
  archiveProject: (r) => [{ key: r.projectKey }],
  unarchiveProject: (r) => [{ key: r.projectKey }],
  createWorkflowState: (r) => [{ input: { projectKey: r.projectKey, name: 'New state', category: 'TODO' } }],
  updateWorkflowState: (r) => [{ id: r.stateId, input: { name: 'Renamed', position: 0 } }],
  deleteWorkflowState: (r, own) => [
    { id: r.stateId, moveIssuesToStateId: own.stateId },
    { id: own.stateId, moveIssuesToStateId: r.stateId },
  ],
  setWorkflowTransitions: (r, own) => [
    { fromStateId: r.stateId, toStateIds: [own.stateId] },
    { fromStateId: own.stateId, toStateIds: [r.stateId] },
  ],
  deleteProject: (r) => [{ key: r.projectKey, confirmKey: r.projectKey }],
  createIssue: (r, own) => [
    { input: { projectKey: r.projectKey, title: 'New' } },
    { input: { projectKey: own.projectKey, title: 'New', assigneeId: r.userId } },
    { input: { projectKey: own.projectKey, title: 'New', labelIds: [r.labelId] } },
    { input: { projectKey: own.projectKey, title: 'New', type: 'SUBTASK', parentKey: r.issueKey } },
    { input: { projectKey: own.projectKey, title: 'New', sprintId: r.sprintId } },
    { input: { projectKey: own.projectKey, title: 'New', customFields: [{ fieldId: r.customFieldId, value: 'x' }] } },
  ],
  updateIssue: (r, own) => [
    { key: r.issueKey, input: { title: 'Changed' } },
    { key: own.otherIssueKey, input: { assigneeId: r.userId } },
    { key: own.otherIssueKey, input: { labelIds: [r.labelId] } },
    { key: own.otherIssueKey, input: { type: 'SUBTASK', parentKey: r.issueKey } },
    { key: own.otherIssueKey, input: { sprintId: r.sprintId } },
  ],
  transitionIssue: (r, own) => [
    { key: r.issueKey, toStateId: own.stateId },
    { key: own.issueKey, toStateId: r.stateId },
  ],
  updateIssues: (r, own) => [
    { keys: [own.otherIssueKey, r.issueKey], input: { title: 'Changed' } },
    { keys: [own.otherIssueKey], input: { assigneeId: r.userId } },
    { keys: [own.otherIssueKey], input: { labelIds: [r.labelId] } },
  ],
  transitionIssues: (r, own) => [
    { keys: [r.issueKey], toStateId: own.stateId },
    { keys: [own.issueKey], toStateId: r.stateId },
  ],
  createCustomField: (r) => [{ projectKey: r.projectKey, name: 'New field', type: 'TEXT' }],
  updateCustomField: (r) => [{ id: r.customFieldId, name: 'Renamed' }],
  deleteCustomField: (r) => [{ id: r.customFieldId }],
  setIssueFields: (r, own) => [
    { key: r.issueKey, values: [{ fieldId: own.customFieldId, value: 'x' }] },
    { key: own.otherIssueKey, values: [{ fieldId: r.customFieldId, value: 'x' }] },
    { key: own.otherIssueKey, values: [{ fieldId: own.userFieldId, value: r.userId }] },
  ],
  rankIssue: (r, own) => [
    { key: r.issueKey, afterKey: own.otherIssueKey },
    { key: own.issueKey, afterKey: r.otherIssueKey },
    { key: own.issueKey, beforeKey: r.otherIssueKey },
  ],
  deleteIssue: (r) => [{ key: r.issueKey }],
  linkIssues: (r, own) => [
    { fromKey: r.issueKey, toKey: own.otherIssueKey, type: 'RELATES_TO' },
    { fromKey: own.otherIssueKey, toKey: r.issueKey, type: 'RELATES_TO' },
  ],
  unlinkIssues: (r) => [{ linkId: r.linkId }],
  watchIssue: (r) => [{ key: r.issueKey }],
  unwatchIssue: (r) => [{ key: r.issueKey }],
  addComment: (r) => [{ issueKey: r.issueKey, body: 'Hello' }],
  updateComment: (r) => [{ id: r.commentId, body: 'Edited' }],
  deleteComment: (r) => [{ id: r.commentId }],
  createAttachmentUpload: (r) => [{ issueKey: r.issueKey, fileName: 'a.txt', contentType: 'text/plain', size: 10 }],
  completeAttachmentUpload: (r) => [{ id: r.attachmentId }],
  deleteAttachment: (r) => [{ id: r.attachmentId }],
  createLabel: (r) => [{ projectKey: r.projectKey, name: 'new label', color: '#00AA00' }],
  updateLabel: (r) => [{ id: r.labelId, name: 'renamed', color: '#00AA00' }],
  deleteLabel: (r) => [{ id: r.labelId }],
  createSprint: (r) => [{ input: { projectKey: r.projectKey, name: 'New sprint' } }],
  startSprint: (r) => [{ id: r.sprintId }],
  updateSprint: (r) => [{ id: r.sprintId, input: { name: 'Renamed' } }],
  deleteSprint: (r) => [{ id: r.sprintId }],
  completeSprint: (r, own) => [
    { id: r.activeSprintId },
    { id: own.activeSprintId, moveOpenIssuesToSprintId: r.sprintId },
  ],
  auditLog: (r) => [{ actorId: r.userId }, { action: 'project.created' }],
  // No references to fill; first: 0 keeps the viewer's own (time-signed) attachment links out of the comparison.
  notifications: () => [{ unreadOnly: false, first: 0 }],
  markNotificationsRead: (r) => [{ ids: [r.notificationId] }],
  webhooks: (r) => [{ projectKey: r.projectKey }],
  webhookDeliveries: (r) => [{ webhookId: r.webhookId }],
  createWebhook: (r) => [{ projectKey: r.projectKey, url: 'http://127.0.0.1:9/x', events: ['*'] }],
  deleteWebhook: (r) => [{ id: r.webhookId }],
  redeliverWebhook: (r) => [{ deliveryId: r.deliveryId }],
};

/** Operations of the caller's own account: they ignore x-org-id instead of refusing it. */
const IGNORES_ORG_HEADER = new Set(['revokeApiToken', 'acceptInvitation']);
/** Mutations that answer how many of the caller's own rows changed: a foreign id changes none (0), as a random one does. */
const COUNTS_OWN_ROWS = new Set(['markNotificationsRead']);

const ROLES: readonly RoleName[] = ['OWNER', 'ADMIN', 'MEMBER', 'VIEWER'];
/** Deep enough to follow every relation of what comes back (issue → links → issue → …). */
const DEPTH = 4;
const REFUSALS = ['NOT_FOUND', 'FORBIDDEN'];

let api: TestApi;
let a: Tenant;
let b: Tenant;
let before: Snapshot;

beforeAll(async () => {
  // No webhook worker: its retries would change rows under the "wrote nothing" snapshot.
  api = await startTestApi('xtenant', {
    GRAPHQL_MAX_DEPTH: '100',
    GRAPHQL_MAX_TOKENS: '100000',
    GRAPHQL_MAX_COST: '10000000',
    // Documents followed to every relation cost up to millions of points each: no rate limit here
    // (rate-limits.test.ts holds the limits, including a noisy tenant's).
    RATE_LIMIT_CALLER_POINTS: '1000000000',
    RATE_LIMIT_ORGANIZATION_POINTS: '1000000000',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_WORKER_CONCURRENCY: '0',
  });
  a = await buildTenant(api.client, 'alpha', 'ALPHAPROJ');
  b = await buildTenant(api.client, 'bravo', 'BRAVOSECRT');
  before = await snapshotTables(api.database.ownerUrl);
});

afterAll(() => api?.stop());

/**
 * Bulk refusals name the caller's own input key (extensions.key, and the message): an echo of
 * the request, not something learned from B, so it is masked before comparing and scanning.
 */
function withoutEchoedKey(response: GraphqlResponse): GraphqlResponse {
  if (!response.errors) return response;
  const errors = response.errors.map((error) => {
    const key = error.extensions?.key;
    if (typeof key !== 'string') return error;
    return { ...error, message: error.message.replaceAll(key, '<key>'), extensions: { ...error.extensions, key: '<key>' } };
  });
  return { ...response, errors };
}

/** What must be identical between a foreign and a random reference. */
function observable(raw: GraphqlResponse): unknown {
  const response = withoutEchoedKey(raw);
  return { status: response.status, data: response.data, errors: response.errors };
}

const operations = rootOperations();
const covered = operations.filter((operation) => operation.kind !== 'subscription' && !(operation.name in EXEMPT));

test('every operation of the schema is in the table, exempt, or (subscriptions) covered over WebSocket', () => {
  const listed = (operation: (typeof operations)[number]) =>
    operation.kind === 'subscription' ? operation.name in OVER_WEBSOCKET : operation.name in FILL || operation.name in EXEMPT;
  expect(operations.filter((operation) => !listed(operation)).map((operation) => `${operation.kind} ${operation.name}`)).toEqual([]);
  const names = operations.map((operation) => operation.name);
  expect([...Object.keys(FILL), ...Object.keys(EXEMPT), ...Object.keys(OVER_WEBSOCKET)].filter((name) => !names.includes(name))).toEqual([]);
  expect(Object.keys(FILL).filter((name) => name in EXEMPT)).toEqual([]);
});

test.each(covered.map((operation) => [operation.name, operation] as const))(
  '%s answers org B references exactly as random ones, for every role of org A, and shows none of B',
  async (_name, operation) => {
    const random = randomRefs();
    const foreignVariants = FILL[operation.name]!(b.refs, a.refs);
    const randomVariants = FILL[operation.name]!(random, a.refs);
    for (const role of ROLES) {
      const token = a.org.users[role].token;
      for (const [index, foreignVars] of foreignVariants.entries()) {
        const document = documentFor(operation, foreignVars, DEPTH);
        const context = `${operation.name} as ${role} with ${JSON.stringify(foreignVars)}`;
        const foreign = await api.client.request(document, foreignVars, { token, orgId: a.org.id });
        const baseline = await api.client.request(document, randomVariants[index]!, { token, orgId: a.org.id });
        expect({ context, leaked: leakedSecrets(b, withoutEchoedKey(foreign)) }).toEqual({ context, leaked: [] });
        expect({ context, response: observable(foreign) }).toEqual({ context, response: observable(baseline) });
        // The baseline is a refusal (NOT_FOUND, or FORBIDDEN for the role); a mutation never succeeds.
        const codes = (baseline.errors ?? []).map((error) => String(error.extensions?.code));
        expect({ context, unexpected: codes.filter((code) => !REFUSALS.includes(code)) }).toEqual({ context, unexpected: [] });
        if (operation.kind === 'mutation' && !COUNTS_OWN_ROWS.has(operation.name)) expect({ context, refused: codes.length > 0 }).toEqual({ context, refused: true });
        // The same call sent into B's tenant: refused as for an organization that does not exist.
        const intoB = await api.client.request(document, foreignVars, { token, orgId: b.org.id });
        const intoNowhere = await api.client.request(document, randomVariants[index]!, { token, orgId: random.orgId });
        expect({ context, leaked: leakedSecrets(b, withoutEchoedKey(intoB)) }).toEqual({ context, leaked: [] });
        expect({ context, response: observable(intoB) }).toEqual({ context, response: observable(intoNowhere) });
        if (!IGNORES_ORG_HEADER.has(operation.name)) expect({ context, code: intoB.errors?.[0]?.extensions?.code }).toEqual({ context, code: 'FORBIDDEN' });
      }
    }
  },
);

test('every reference of org B resolves inside org B, where the leak scan finds it', async () => {
  // Guards the matrix itself: were B's references wrong, they would equal random ones trivially.
  const { refs, org } = b;
  const data = await api.client.ok(
    `query($key: String!, $c: ID!) {
      issue(key: $key) { id title assignee { id email } labels { id } sprint { id } links { id issue { id key } }
                         history(first: 1) { edges { node { id } } } project { id key sprints { id } workflow { id } } }
      comment: node(id: $c) { id }
    }`,
    { key: refs.issueKey, c: refs.commentId },
    { token: org.owner.token, orgId: org.id },
  );
  expect(data.issue).toMatchObject({ id: refs.issueId, title: refs.issueTitle, assignee: { id: refs.userId, email: refs.userEmail } });
  expect(data.issue.labels).toEqual([{ id: refs.labelId }]);
  expect(data.issue.sprint).toEqual({ id: refs.activeSprintId });
  expect(data.issue.links).toEqual([{ id: refs.linkId, issue: { id: refs.otherIssueId, key: refs.otherIssueKey } }]);
  expect(data.issue.history.edges[0].node.id).toBe(refs.eventId);
  expect(data.issue.project.workflow.map((s: { id: string }) => s.id)).toContain(refs.stateId);
  expect(data.issue.project.sprints.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining([refs.sprintId, refs.activeSprintId]));
  expect(data.comment).toEqual({ id: refs.commentId });
  // ...and the leak scan does spot B's data where it is.
  expect(leakedSecrets(b, data)).toEqual(expect.arrayContaining([refs.issueId, refs.userEmail, refs.projectKey, refs.labelId]));
});

test('no refused or foreign request wrote anything', async () => {
  expect(await snapshotTables(api.database.ownerUrl)).toEqual(before);
});
