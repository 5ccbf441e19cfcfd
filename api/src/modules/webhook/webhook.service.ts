// Webhooks of a project: who may manage them (ADMIN and up), which URLs and event kinds are
// acceptable, and redelivery. Deliveries themselves are created by the issue_events trigger
// (the outbox) and worked by webhook-delivery.task.ts.
import type { Webhook, WebhookDelivery } from '../../generated/prisma/client';
import { badInput, notFound } from '../../errors/app-error';
import { requireRole } from '../../auth/roles';
import { fromGlobalId, toGlobalId } from '../../graphql/global-id';
import { connectionOfPage, sealedCursorOf, type ConnectionShape, type PageRequest } from '../../graphql/pagination';
import { keysetQuery } from '../../db/keyset';
import { EVENT_KINDS } from '../history/event-kind';
import { findProjectByKey } from '../project/project.service';
import { assertWritable } from '../project/project-writable';
import { checkTargetUrl } from './ssrf-guard';
import { enqueueDelivery } from '../../jobs/enqueue';
import { newWebhookSecret } from './webhook-signer';
import { recordAudit } from '../audit/audit.service';
import { sealRowId } from '../../graphql/sealed-row-id';
import type { TenantScope } from '../../tenancy/scope';

export const MAX_WEBHOOKS_PER_PROJECT = 20;

export interface CreatedWebhook {
  readonly secret: string;
  readonly webhook: Webhook;
}

function checkEvents(events: readonly string[]): string[] {
  const kinds = [...new Set(events.map((kind) => kind.trim()))];
  if (kinds.length === 0) throw badInput('events', 'events must name at least one IssueEvent kind, or "*" for all');
  if (kinds.includes('*')) {
    if (kinds.length > 1) throw badInput('events', '"*" already means every kind: send it alone');
    return kinds;
  }
  const unknown = kinds.filter((kind) => !(EVENT_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0) throw badInput('events', `Unknown event kind(s) ${unknown.join(', ')}; known: ${EVENT_KINDS.join(', ')}`);
  return kinds;
}

export async function createWebhook(
  scope: TenantScope,
  options: { readonly allowPrivateTargets: boolean },
  input: { readonly projectKey: string; readonly url: string; readonly events: readonly string[] },
): Promise<CreatedWebhook> {
  requireRole(scope, 'webhook:manage');
  const events = checkEvents(input.events);
  const url = await checkTargetUrl(input.url, options.allowPrivateTargets);
  return scope.db.run(async (tx) => {
    const project = await findProjectByKey(tx, scope.orgId, input.projectKey);
    assertWritable(project);
    if ((await tx.webhook.count({ where: { orgId: scope.orgId, projectId: project.id } })) >= MAX_WEBHOOKS_PER_PROJECT) {
      throw badInput('projectKey', `A project has at most ${MAX_WEBHOOKS_PER_PROJECT} webhooks`);
    }
    const secret = newWebhookSecret();
    const webhook = await tx.webhook.create({ data: { orgId: scope.orgId, projectId: project.id, url: url.toString(), events, secret, createdById: scope.userId } });
    await recordAudit(tx, scope, { action: 'webhook.created', targetId: toGlobalId('Webhook', webhook.id), data: { project: project.key, url: url.origin, events } });
    return { secret, webhook };
  });
}

export async function listWebhooks(scope: TenantScope, projectKey: string): Promise<Webhook[]> {
  requireRole(scope, 'webhook:manage');
  return scope.db.read(async (tx) => {
    const project = await findProjectByKey(tx, scope.orgId, projectKey);
    return tx.webhook.findMany({ where: { orgId: scope.orgId, projectId: project.id }, orderBy: { createdAt: 'asc' } });
  });
}

export async function deleteWebhook(scope: TenantScope, globalId: string): Promise<boolean> {
  requireRole(scope, 'webhook:manage');
  const id = fromGlobalId('Webhook', globalId, 'id');
  // Its deliveries go with it (cascade); their queued jobs then find nothing and end.
  return scope.db.run(async (tx) => {
    const { count } = await tx.webhook.deleteMany({ where: { orgId: scope.orgId, id } });
    if (count === 0) throw notFound('Webhook', 'id');
    await recordAudit(tx, scope, { action: 'webhook.deleted', targetId: globalId });
    return true;
  });
}

/** Newest first. */
export async function listDeliveries(
  scope: TenantScope,
  webhookGlobalId: string,
  page: PageRequest,
): Promise<ConnectionShape<WebhookDelivery>> {
  requireRole(scope, 'webhook:manage');
  const webhookId = fromGlobalId('Webhook', webhookGlobalId, 'webhookId');
  const cursor = sealedCursorOf(page, 'WebhookDelivery');
  const where = { orgId: scope.orgId, webhookId };
  const keyset = keysetQuery(['id'], 'desc', page, cursor === null ? null : [cursor]);
  const rows = await scope.db.read(async (tx) => {
    if (!(await tx.webhook.findFirst({ where: { orgId: scope.orgId, id: webhookId }, select: { id: true } }))) throw notFound('Webhook', 'webhookId');
    return tx.webhookDelivery.findMany({ where: { AND: [where, keyset.where ?? {}] }, orderBy: keyset.orderBy, take: keyset.take });
  });
  return connectionOfPage(rows, page, (delivery) => [sealRowId('WebhookDelivery', delivery.id)], () => scope.db.read((tx) => tx.webhookDelivery.count({ where })));
}

/** A new delivery of the same event to the same webhook, queued at once. */
export async function redeliver(scope: TenantScope, deliveryGlobalId: string): Promise<WebhookDelivery> {
  requireRole(scope, 'webhook:manage');
  const id = BigInt(fromGlobalId('WebhookDelivery', deliveryGlobalId, 'deliveryId'));
  return scope.db.run(async (tx) => {
    const original = await tx.webhookDelivery.findFirst({ where: { orgId: scope.orgId, id } });
    if (!original) throw notFound('WebhookDelivery', 'deliveryId');
    const delivery = await tx.webhookDelivery.create({ data: { orgId: scope.orgId, webhookId: original.webhookId, eventId: original.eventId } });
    await enqueueDelivery(tx, scope.orgId, delivery.id);
    return delivery;
  });
}
