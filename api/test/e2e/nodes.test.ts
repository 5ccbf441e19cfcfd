// Relay's object identification: every type with an id is a Node, and node(id:) fetches each
// one inside the caller's organization (and nothing of another).
import { isObjectType } from 'graphql';
import { buildAppSchema } from '../../src/graphql-server/schema';
import { startTestApi, type TestApi } from '../support/test-server';
import { buildTenant, type Tenant } from '../support/tenant-world';
import { clientAs, type RoleClient } from '../support/tracker-api';

let api: TestApi;
let a: Tenant;
let b: Tenant;
let owner: RoleClient;
/** One global id of each Node type in organization A. */
const ids: Record<string, string> = {};

beforeAll(async () => {
  api = await startTestApi('nodes', { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_WORKER_CONCURRENCY: '0' });
  a = await buildTenant(api.client, 'alpha', 'ALPHANODE');
  b = await buildTenant(api.client, 'bravo', 'BRAVONODE');
  owner = clientAs(api, a.org, 'OWNER');
  const r = a.refs;
  Object.assign(ids, {
    Organization: r.orgId,
    Project: r.projectId,
    WorkflowState: r.stateId,
    Label: r.labelId,
    Sprint: r.sprintId,
    Issue: r.issueId,
    IssueLink: r.linkId,
    Comment: r.commentId,
    IssueEvent: r.eventId,
    User: r.userId,
    ApiToken: r.apiTokenId,
    Webhook: r.webhookId,
    WebhookDelivery: r.deliveryId,
    Invitation: r.invitationId,
    AuditEntry: r.auditEntryId,
    CustomField: r.customFieldId,
    Attachment: r.attachmentId,
    Notification: r.notificationId,
  });
  const members = await owner.ok(`{ organization { members(first: 1) { edges { node { id } } } } }`);
  ids.Membership = members.organization.members.edges[0].node.id;
});
afterAll(() => api?.stop());

const NODE = `query($id: ID!) { node(id: $id) { id __typename } }`;

test('every object type with an id field implements Node, and the test has an id of each', () => {
  const schema = buildAppSchema();
  const withId = Object.values(schema.getTypeMap())
    .filter(isObjectType)
    .filter((type) => !type.name.startsWith('__') && 'id' in type.getFields());
  expect(withId.filter((type) => !type.getInterfaces().some((i) => i.name === 'Node')).map((type) => type.name)).toEqual([]);
  expect(withId.map((type) => type.name).sort()).toEqual(Object.keys(ids).sort());
});

test.each(['Organization', 'Project', 'WorkflowState', 'Label', 'Sprint', 'Issue', 'IssueLink', 'Comment', 'IssueEvent', 'User', 'ApiToken', 'Webhook', 'WebhookDelivery', 'Invitation', 'AuditEntry', 'Membership', 'Attachment', 'CustomField', 'Notification'])(
  'node(id:) fetches a %s of the organization, and another organization cannot',
  async (type) => {
    const id = ids[type]!;
    expect((await owner.ok(NODE, { id })).node).toEqual({ id, __typename: type });
    const other = clientAs(api, b.org, 'OWNER');
    expect((await other.ok(NODE, { id })).node).toBeNull();
  },
);

test('a membership id names one organization: with another x-org-id it is nobody', async () => {
  const bMember = await clientAs(api, b.org, 'OWNER').ok(`{ organization { members(first: 1) { edges { node { id user { id } } } } } }`);
  const foreign = bMember.organization.members.edges[0].node.id;
  expect(foreign).not.toBe(ids.Membership);
  expect((await owner.ok(NODE, { id: foreign })).node).toBeNull();
});
