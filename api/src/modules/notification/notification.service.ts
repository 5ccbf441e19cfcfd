// A member's notifications. Writers produce them inside the transaction of the change (with its
// history events), so a change and its notifications commit or roll back together, like the
// webhook outbox. Only members receive them, never for their own actions.
import type { Notification } from '../../generated/prisma/client';
import { Prisma } from '../../generated/prisma/client';
import type { Tx } from '../../db/tx';
import { requireRole } from '../../auth/roles';
import { connectionOfPage, keysetCursorOf, type ConnectionShape, type PageRequest } from '../../graphql/pagination';
import { keysetQuery } from '../../db/keyset';
import { badInput } from '../../errors/app-error';
import { mentionedUserIds } from './mentions';
import type { TenantScope } from '../../tenancy/scope';

export type NotificationKind = 'ASSIGNED' | 'MENTIONED' | 'COMMENTED' | 'TRANSITIONED';

export interface NotificationDraft {
  readonly userId: string;
  readonly issueId: string;
  readonly kind: NotificationKind;
}

/** The channel every instance listens on (event-listener.ts); the payload names the organization, user and row. */
const NOTIFICATION_CHANNEL = 'app_notifications';

/** Most ids one markNotificationsRead accepts. */
export const MARK_READ_MAX_IDS = 100;

/** One MENTIONED draft per member newly mentioned in `text` (mentions already in `before` are not new). */
export function mentionDrafts(issueId: string, text: string | null | undefined, before?: string | null): NotificationDraft[] {
  const old = new Set(mentionedUserIds(before));
  return mentionedUserIds(text)
    .filter((userId) => !old.has(userId))
    .map((userId) => ({ userId, issueId, kind: 'MENTIONED' as const }));
}

/**
 * Writes the drafts in `tx`: one per user and issue (the first draft wins, so callers list
 * ASSIGNED and MENTIONED before what watchers get), none for the actor, none for a non-member
 * (one query decides membership, so an unknown id and another tenant's user look alike).
 */
export async function writeNotifications(tx: Tx, orgId: string, actorId: string, drafts: readonly NotificationDraft[]): Promise<void> {
  const seen = new Set<string>();
  const unique = drafts.filter((draft) => {
    const key = `${draft.userId}:${draft.issueId}`;
    if (draft.userId === actorId || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (unique.length === 0) return;
  const members = await tx.membership.findMany({ where: { orgId, userId: { in: [...new Set(unique.map((d) => d.userId))] } }, select: { userId: true } });
  const memberIds = new Set(members.map((m) => m.userId));
  const rows = unique.filter((draft) => memberIds.has(draft.userId));
  if (rows.length === 0) return;
  const created = await tx.notification.createManyAndReturn({
    data: rows.map((draft) => ({ orgId, actorId, userId: draft.userId, issueId: draft.issueId, kind: draft.kind })),
    select: { id: true, userId: true },
  });
  // Delivered at commit (NOTIFY is transactional) to every instance's realtime runtime; one
  // statement however many were written (a workflow change can notify the watchers of many issues).
  const payloads = created.map((row) => JSON.stringify({ orgId, userId: row.userId, id: row.id }));
  await tx.$executeRaw`SELECT pg_notify(${NOTIFICATION_CHANNEL}, payload) FROM unnest(${payloads}::text[]) AS payload`;
}

/** The watchers of `issueIds` as drafts of `kind` (membership is checked when written). */
export async function watcherDrafts(tx: Tx, orgId: string, issueIds: readonly string[], kind: NotificationKind): Promise<NotificationDraft[]> {
  if (issueIds.length === 0) return [];
  const watchers = await tx.issueWatcher.findMany({ where: { orgId, issueId: { in: [...new Set(issueIds)] } }, select: { issueId: true, userId: true } });
  return watchers.map((w) => ({ userId: w.userId, issueId: w.issueId, kind }));
}

const cursorOf = (row: Notification) => [row.createdAt.toISOString(), row.id];

export interface NotificationPage extends ConnectionShape<Notification> {
  readonly unreadCount: Promise<number> | number;
}

/** The viewer's notifications in this organization, newest first. Any member, VIEWER too. */
export async function listNotifications(scope: TenantScope, unreadOnly: boolean, page: PageRequest): Promise<NotificationPage> {
  requireRole(scope, 'read');
  const cursor = keysetCursorOf(page, ['timestamp', 'uuid']);
  // A deleted issue's notifications are hidden (Notification.issue is never null).
  const mine: Prisma.NotificationWhereInput = { orgId: scope.orgId, userId: scope.userId, issue: { deletedAt: null } };
  const where: Prisma.NotificationWhereInput = unreadOnly ? { ...mine, readAt: null } : mine;
  const keyset = keysetQuery(['createdAt', 'id'], 'desc', page, cursor && [new Date(cursor[0]!), cursor[1]]);
  const rows = await scope.db.read((tx) => tx.notification.findMany({ where: { AND: [where, keyset.where ?? {}] }, orderBy: keyset.orderBy, take: keyset.take }));
  const connection = connectionOfPage(rows, page, cursorOf, () => scope.db.read((tx) => tx.notification.count({ where })));
  return Object.defineProperty(connection, 'unreadCount', {
    enumerable: true,
    get: () => scope.db.read((tx) => tx.notification.count({ where: { ...mine, readAt: null } })),
  }) as NotificationPage;
}

/** Marks the viewer's own notifications read (by id, or all); answers how many changed. */
export async function markNotificationsRead(scope: TenantScope, ids: readonly string[] | null, all: boolean): Promise<number> {
  requireRole(scope, 'read');
  if (!all && (ids === null || ids.length === 0)) throw badInput('ids', 'Give ids or all: true');
  if (ids !== null && ids.length > MARK_READ_MAX_IDS) throw badInput('ids', `At most ${MARK_READ_MAX_IDS} ids at once`);
  const unread: Prisma.NotificationWhereInput = { orgId: scope.orgId, userId: scope.userId, readAt: null };
  const where = all ? unread : { ...unread, id: { in: [...new Set(ids)] } };
  return scope.db.run(async (tx) => (await tx.notification.updateMany({ where, data: { readAt: new Date() } })).count);
}

/** One of the viewer's notifications by row id (the realtime runtime and node lookups). */
export function findOwnNotification(scope: TenantScope, id: string): Promise<Notification | null> {
  return scope.db.read((tx) => tx.notification.findFirst({ where: { id, orgId: scope.orgId, userId: scope.userId } }));
}
