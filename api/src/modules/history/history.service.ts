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
import { writeNotifications, type NotificationDraft } from '../notification/notification.service';

function json(value: unknown): Prisma.InputJsonValue | typeof Prisma.JsonNull {
  return value === undefined || value === null ? Prisma.JsonNull : (value as Prisma.InputJsonValue);
}

/**
 * Also writes the notifications the events make (assignments, new mentions in descriptions,
 * comments and transitions for watchers), after `direct` ones the caller knows of (mentions in
 * a comment, a new issue's assignee), in the same transaction.
 */
export async function recordEvents(tx: Tx, orgId: string, actorId: string, drafts: readonly EventDraft[], direct: readonly NotificationDraft[] = []): Promise<void> {
  if (drafts.length === 0) return;
  await tx.issueEvent.createMany({
    data: drafts.map((draft) => ({
      orgId,
      actorId,
      issueId: draft.issueId,
      projectId: draft.projectId,
      kind: draft.kind,
      field: draft.field ?? null,
      from: json(draft.from),
      to: json(draft.to),
    })),
  });
  await writeNotifications(tx, orgId, actorId, [...direct, ...(await notificationsOfEvents(tx, orgId, drafts))]);
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
