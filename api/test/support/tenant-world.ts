// An organization with one of everything (projects, issues, comments, labels, sprints, links,
// watchers, history, an API token), built through the API, plus the references a client
// could hold to each record and the strings that must never show up in another tenant.
import { randomBytes, randomUUID } from 'node:crypto';
import type { GraphqlClient } from './graphql-client';
import { createIssue, createOrg, createProject, uniqueSuffix, type TestOrg } from './fixtures';
import { attach } from './attachment-upload';
import { decodeGlobalId, toGlobalId, type NodeTypeName } from '../../src/graphql/global-id';

/** What a client can name a tenant's records by: global ids, keys, emails, text. */
export interface TenantRefs {
  readonly orgId: string;
  readonly projectId: string;
  readonly projectKey: string;
  readonly stateId: string;
  readonly labelId: string;
  /** PLANNED */
  readonly sprintId: string;
  /** ACTIVE, holding issueKey */
  readonly activeSprintId: string;
  readonly issueId: string;
  readonly issueKey: string;
  readonly issueTitle: string;
  readonly otherIssueId: string;
  readonly otherIssueKey: string;
  readonly commentId: string;
  readonly linkId: string;
  readonly eventId: string;
  /** The MEMBER's user id (assignee of issueKey). */
  readonly userId: string;
  readonly userEmail: string;
  readonly apiTokenId: string;
  readonly webhookId: string;
  /** A delivery of webhookId (PENDING: the server needs WEBHOOK_WORKER_CONCURRENCY=0). */
  readonly deliveryId: string;
  /** A pending invitation, and its secret. */
  readonly invitationId: string;
  readonly invitationToken: string;
  /** An entry of the organization's audit log. */
  readonly auditEntryId: string;
  /** A completed attachment on issueKey, uploaded by the MEMBER. */
  readonly attachmentId: string;
  /** A TEXT custom field of projectKey (issueKey holds a value of it) and a USER one. */
  readonly customFieldId: string;
  readonly userFieldId: string;
  /** The OWNER's notification: the MEMBER mentioned them in a comment on issueKey. */
  readonly notificationId: string;
}

export interface Tenant {
  readonly org: TestOrg;
  readonly refs: TenantRefs;
  /** Every id (global and raw), key, email and text of this tenant. */
  readonly secrets: readonly string[];
}

export async function buildTenant(client: GraphqlClient, label: string, projectKey: string): Promise<Tenant> {
  const org = await createOrg(client, label);
  const owner = { token: org.owner.token, orgId: org.id };
  const project = await createProject(client, org, projectKey);
  const tag = `${label} secret ${uniqueSuffix()}`;
  const label1 = await client.ok(`mutation($k: String!, $n: String!) { createLabel(projectKey: $k, name: $n, color: "#AA0000") { id name } }`, { k: projectKey, n: `${tag} label` }, owner);
  const sprint = (name: string) =>
    client.ok(`mutation($input: CreateSprintInput!) { createSprint(input: $input) { id name } }`, { input: { projectKey, name: `${tag} ${name}` } }, owner);
  const planned = (await sprint('planned sprint')).createSprint;
  const active = (await sprint('active sprint')).createSprint;
  await client.ok(`mutation($id: ID!) { startSprint(id: $id) { state } }`, { id: active.id }, owner);
  const issueTitle = `${tag} issue`;
  const issue = await createIssue(client, org, {
    projectKey,
    title: issueTitle,
    description: `${tag} description`,
    type: 'STORY',
    assigneeId: org.users.MEMBER.id,
    labelIds: [label1.createLabel.id],
    sprintId: active.id,
  });
  const other = await createIssue(client, org, { projectKey, title: `${tag} other issue` });
  // Loopback, so nothing ever leaves the machine: the server needs WEBHOOK_ALLOW_PRIVATE_TARGETS.
  const webhook = await client.ok(
    `mutation($k: String!) { createWebhook(projectKey: $k, url: "http://127.0.0.1:9/tenant-world", events: ["COMMENTED"]) { secret webhook { id } } }`,
    { k: projectKey },
    owner,
  );
  const comment = await client.ok(`mutation($k: String!, $b: String!) { addComment(issueKey: $k, body: $b) { id body } }`, { k: issue.key, b: `${tag} comment` }, owner);
  const deliveries = await client.ok(`query($w: ID!) { webhookDeliveries(webhookId: $w, first: 1) { edges { node { id } } } }`, { w: webhook.createWebhook.webhook.id }, owner);
  const link = await client.ok(`mutation($f: String!, $t: String!) { linkIssues(fromKey: $f, toKey: $t, type: BLOCKS) { id } }`, { f: issue.key, t: other.key }, owner);
  await client.ok(`mutation($k: String!) { watchIssue(key: $k) { id } }`, { k: issue.key }, { token: org.users.VIEWER.token, orgId: org.id });
  const customField = await client.ok(`mutation($k: String!, $n: String!) { createCustomField(projectKey: $k, name: $n, type: TEXT) { id } }`, { k: projectKey, n: `${tag} field` }, owner);
  const userField = await client.ok(`mutation($k: String!) { createCustomField(projectKey: $k, name: "Reviewer", type: USER) { id } }`, { k: projectKey }, owner);
  await client.ok(
    `mutation($key: String!, $values: [CustomFieldValueInput!]!) { setIssueFields(key: $key, values: $values) { id } }`,
    { key: issue.key, values: [{ fieldId: customField.createCustomField.id, value: `${tag} value` }, { fieldId: userField.createCustomField.id, value: org.users.MEMBER.id }] },
    owner,
  );
  await client.ok(`mutation($k: String!, $b: String!) { addComment(issueKey: $k, body: $b) { id } }`, { k: issue.key, b: `${tag} ask <@${org.owner.id}>` }, { token: org.users.MEMBER.token, orgId: org.id });
  const notification = await client.ok(`{ notifications(first: 1) { edges { node { id } } } }`, {}, owner);
  const history = await client.ok(`query($k: String!) { issue(key: $k) { history(first: 1) { edges { node { id } } } } }`, { k: issue.key }, owner);
  const invitation = await client.ok(
    `mutation($e: String!) { inviteMember(email: $e, role: MEMBER) { token invitation { id } } }`,
    { e: `${label}-invitee-${uniqueSuffix()}@example.com` },
    owner,
  );
  const memberCaller = { token: org.users.MEMBER.token, orgId: org.id };
  const memberClient = { ok: (q: string, v: Record<string, unknown> = {}) => client.ok(q, v, memberCaller), request: (q: string, v: Record<string, unknown> = {}) => client.request(q, v, memberCaller) };
  const attachment = await attach(memberClient, client.url, issue.key, Buffer.from(`${tag} attachment`), `${tag}.txt`);
  const audit = await client.ok(`{ auditLog(first: 1) { edges { node { id } } } }`, {}, owner);
  const apiToken = await client.ok(`mutation($n: String!) { createApiToken(name: $n) { token apiToken { id } } }`, { n: `${tag} token` }, { token: org.owner.token });
  const refs: TenantRefs = {
    orgId: org.id,
    projectId: project.id,
    projectKey,
    stateId: project.workflow[1]!.id,
    labelId: label1.createLabel.id,
    sprintId: planned.id,
    activeSprintId: active.id,
    issueId: issue.id,
    issueKey: issue.key,
    issueTitle,
    otherIssueId: other.id,
    otherIssueKey: other.key,
    commentId: comment.addComment.id,
    linkId: link.linkIssues.id,
    eventId: history.issue.history.edges[0].node.id,
    userId: org.users.MEMBER.id,
    userEmail: org.users.MEMBER.email,
    apiTokenId: apiToken.createApiToken.apiToken.id,
    webhookId: webhook.createWebhook.webhook.id,
    deliveryId: deliveries.webhookDeliveries.edges[0].node.id,
    invitationId: invitation.inviteMember.invitation.id,
    invitationToken: invitation.inviteMember.token,
    auditEntryId: audit.auditLog.edges[0].node.id,
    attachmentId: attachment.id,
    customFieldId: customField.createCustomField.id,
    userFieldId: userField.createCustomField.id,
    notificationId: notification.notifications.edges[0].node.id,
  };
  const ids = [...Object.values(refs).filter(isGlobalId), ...project.workflow.map((state) => state.id), ...Object.values(org.users).map((user) => user.id)];
  const secrets = new Set<string>([tag, org.slug, projectKey, apiToken.createApiToken.token, webhook.createWebhook.secret, invitation.inviteMember.token, ...Object.values(org.users).flatMap((user) => [user.email, user.token])]);
  for (const id of ids) {
    secrets.add(id);
    const { rowId } = decodeGlobalId(id, 'id');
    if (rowId.includes('-')) secrets.add(rowId); // bigint row ids are too short to scan for
  }
  return { org, refs, secrets: [...secrets] };
}

function isGlobalId(value: string): boolean {
  try {
    decodeGlobalId(value, 'id');
    return true;
  } catch {
    return false;
  }
}

/** Well-formed references to records that exist nowhere. */
export function randomRefs(): TenantRefs {
  const id = (type: NodeTypeName) => toGlobalId(type, randomUUID());
  return {
    orgId: id('Organization'),
    projectId: id('Project'),
    projectKey: 'ZNOSUCHKEY',
    stateId: id('WorkflowState'),
    labelId: id('Label'),
    sprintId: id('Sprint'),
    activeSprintId: id('Sprint'),
    issueId: id('Issue'),
    issueKey: 'ZNOSUCHKEY-1',
    issueTitle: `nothing is titled ${uniqueSuffix()}`,
    otherIssueId: id('Issue'),
    otherIssueKey: 'ZNOSUCHKEY-2',
    commentId: id('Comment'),
    linkId: id('IssueLink'),
    eventId: toGlobalId('IssueEvent', String(9_000_000_000 + Math.floor(Math.random() * 1e9))),
    userId: id('User'),
    userEmail: `nobody-${uniqueSuffix()}@example.com`,
    apiTokenId: id('ApiToken'),
    webhookId: id('Webhook'),
    deliveryId: toGlobalId('WebhookDelivery', String(9_000_000_000 + Math.floor(Math.random() * 1e9))),
    invitationId: id('Invitation'),
    invitationToken: `inv_${randomUUID().replaceAll('-', '')}${randomBytes(32).toString('base64url')}`,
    auditEntryId: id('AuditEntry'),
    attachmentId: id('Attachment'),
    customFieldId: id('CustomField'),
    userFieldId: id('CustomField'),
    notificationId: id('Notification'),
  };
}

/** The secrets of `tenant` that occur anywhere in `value` (a response body, say). */
export function leakedSecrets(tenant: Tenant, value: unknown): string[] {
  const text = JSON.stringify(value) ?? '';
  return tenant.secrets.filter((secret) => text.includes(secret));
}
