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
import { uuid7 } from '../../db/uuid7';
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

/** The drafts worth writing: one per user and issue (the first draft wins), none for the actor. */
function uniqueDrafts(actorId: string, drafts: readonly NotificationDraft[]): NotificationDraft[] {
  const seen = new Set<string>();
  return drafts.filter((draft) => {
    const key = `${draft.userId}:${draft.issueId}`;
    if (draft.userId === actorId || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The drafts as the tail of one statement, after any CTEs of the caller's (`WITH <theirs>,
 * <ctes> <select>`): a CTE `written` inserts the rows of members only (the membership test is
 * in the insert, so an unknown id and another tenant's user look alike), and the select hands
 * each written row to pg_notify, delivered at commit (NOTIFY is transactional) to every
 * instance's realtime runtime. Null when there is nothing to write.
 */
export function notificationWriteSql(orgId: string, actorId: string, drafts: readonly NotificationDraft[]): { ctes: Prisma.Sql; select: Prisma.Sql } | null {
  const unique = uniqueDrafts(actorId, drafts);
  if (unique.length === 0) return null;
  const ids = unique.map(() => uuid7());
  return {
    ctes: Prisma.sql`written AS (
      INSERT INTO notifications (id, org_id, actor_id, user_id, issue_id, kind, created_at)
      SELECT d.id, ${orgId}::uuid, ${actorId}::uuid, d.user_id, d.issue_id, d.kind, ${new Date()}::timestamptz
      FROM unnest(${ids}::uuid[], ${unique.map((d) => d.userId)}::uuid[], ${unique.map((d) => d.issueId)}::uuid[], ${unique.map((d) => d.kind)}::text[])
        WITH ORDINALITY AS d(id, user_id, issue_id, kind, n)
      WHERE EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = ${orgId}::uuid AND m.user_id = d.user_id)
      ORDER BY d.n
      RETURNING id, user_id)`,
    select: Prisma.sql`SELECT pg_notify(${NOTIFICATION_CHANNEL}, json_build_object('orgId', ${orgId}::text, 'userId', w.user_id, 'id', w.id)::text) FROM written w`,
  };
}

/**
 * Writes the drafts in `tx` in one statement: one per user and issue (the first draft wins, so
 * callers list ASSIGNED and MENTIONED before what watchers get), none for the actor, none for a
 * non-member.
 */
export async function writeNotifications(tx: Tx, orgId: string, actorId: string, drafts: readonly NotificationDraft[]): Promise<void> {
  const sql = notificationWriteSql(orgId, actorId, drafts);
  if (sql) await tx.$executeRaw`WITH ${sql.ctes} ${sql.select}`;
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
