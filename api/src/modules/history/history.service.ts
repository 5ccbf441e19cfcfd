// Writes and reads issue history. Writers call recordEvents inside the transaction of the
// change itself, so a change and its history commit (or roll back) together.
import type { IssueEvent } from '../../generated/prisma/client';
import { Prisma } from '../../generated/prisma/client';
import type { TenantDb } from '../../tenancy/tenant-db';
import { countRowsPerParent, firstRowsPerParent } from '../../db/first-rows';
import type { Tx } from '../../db/tx';
import { connectionOfPage, sealedCursorOf, type ConnectionShape, type FirstPageSource, type PageRequest } from '../../graphql/pagination';
import { keysetQuery } from '../../db/keyset';
import type { EventDraft } from './event-draft';
import { sealRowId } from '../../graphql/sealed-row-id';
import { notificationsOfEvents } from '../notification/notification-events';
import { notificationWriteSql, type NotificationDraft } from '../notification/notification.service';

/**
 * Writes the events and the notifications they make (assignments, new mentions in descriptions,
 * comments and transitions for watchers), after `direct` ones the caller knows of (mentions in
 * a comment, a new issue's assignee), in one statement of the same transaction. An event's
 * empty `from`/`to` is stored as JSON null; `at` is the time of the write, as Prisma's now().
 */
export async function recordEvents(tx: Tx, orgId: string, actorId: string, drafts: readonly EventDraft[], direct: readonly NotificationDraft[] = []): Promise<void> {
  if (drafts.length === 0) return;
  // Watchers are read first: writing the events does not change who watches.
  const notifications = notificationWriteSql(orgId, actorId, [...direct, ...(await notificationsOfEvents(tx, orgId, drafts))]);
  const json = (value: unknown) => JSON.stringify(value ?? null);
  const events = Prisma.sql`events AS (
    INSERT INTO issue_events (org_id, actor_id, project_id, issue_id, kind, field, "from", "to", at)
    SELECT ${orgId}::uuid, ${actorId}::uuid, e.project_id, e.issue_id, e.kind, e.field, e."from"::jsonb, e."to"::jsonb, ${new Date()}::timestamptz
    FROM unnest(
      ${drafts.map((d) => d.projectId)}::uuid[], ${drafts.map((d) => d.issueId)}::uuid[], ${drafts.map((d) => d.kind)}::text[],
      ${drafts.map((d) => d.field ?? null)}::text[], ${drafts.map((d) => json(d.from))}::text[], ${drafts.map((d) => json(d.to))}::text[]
    ) WITH ORDINALITY AS e(project_id, issue_id, kind, field, "from", "to", n)
    ORDER BY e.n)`;
  if (notifications) await tx.$executeRaw`WITH ${events}, ${notifications.ctes} ${notifications.select}`;
  else await tx.$executeRaw`WITH ${events} SELECT 1`;
}

const eventCursor = (event: IssueEvent) => [sealRowId('IssueEvent', event.id)];

/** Newest first. `batch` serves first pages when many issues ask. */
export async function listHistory(
  db: TenantDb,
  issueId: string,
  page: PageRequest,
  batch?: FirstPageSource<IssueEvent>,
): Promise<ConnectionShape<IssueEvent>> {
  const cursor = sealedCursorOf(page, 'IssueEvent');
  if (cursor === null && !page.backward && batch) return connectionOfPage(await batch.firstPage(issueId, page.size + 1), page, eventCursor, () => batch.count(issueId));
  const where = { issueId };
  const keyset = keysetQuery(['id'], 'desc', page, cursor === null ? null : [cursor]);
  const rows = await db.read((tx) => tx.issueEvent.findMany({ where: { AND: [where, keyset.where ?? {}] }, orderBy: keyset.orderBy, take: keyset.take }));
  return connectionOfPage(rows, page, eventCursor, () => db.read((tx) => tx.issueEvent.count({ where })));
}

const NEWEST_EVENTS = {
  from: Prisma.sql`issue_events t`,
  parent: Prisma.sql`t.issue_id`,
  order: Prisma.sql`t.id DESC`,
  columns: Prisma.sql`t.id, t.org_id AS "orgId", t.project_id AS "projectId", t.issue_id AS "issueId", t.actor_id AS "actorId", t.kind, t.field, t."from", t."to", t.at`,
};

/** The newest `take` events of each issue, in one statement (listHistory's order). */
export function newestEventsOf(tx: Tx, issueIds: readonly string[], take: number): Promise<IssueEvent[]> {
  return firstRowsPerParent<IssueEvent>(tx, NEWEST_EVENTS, issueIds, take);
}

export function eventCountsOf(tx: Tx, issueIds: readonly string[]): Promise<{ parentId: string; count: number }[]> {
  return countRowsPerParent(tx, NEWEST_EVENTS, issueIds);
}
