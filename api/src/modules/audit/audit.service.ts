// The organization's audit log. Writers call recordAudit inside the transaction of the change
// it records, so both commit or neither does; the table is append-only for the app role.
import type { AuditEntry } from '../../generated/prisma/client';
import { Prisma } from '../../generated/prisma/client';
import { badInput } from '../../errors/app-error';
import type { Tx } from '../../db/tx';
import { requireRole } from '../../auth/roles';
import { connectionOfPage, keysetCursorOf, type ConnectionShape, type PageRequest } from '../../graphql/pagination';
import { keysetQuery } from '../../db/keyset';
import type { AuditAction } from './audit-action';
import type { Actor, TenantScope } from '../../tenancy/scope';

export interface AuditRecord {
  readonly action: AuditAction;
  /** The global id of what the action was on. */
  readonly targetId?: string | null;
  readonly data?: Record<string, unknown>;
}

export async function recordAudit(tx: Tx, actor: Pick<Actor, 'orgId' | 'userId'>, record: AuditRecord): Promise<void> {
  await tx.auditEntry.create({
    data: {
      orgId: actor.orgId,
      actorId: actor.userId,
      action: record.action,
      targetId: record.targetId ?? null,
      data: record.data === undefined ? Prisma.JsonNull : (record.data as Prisma.InputJsonValue),
    },
  });
}

/**
 * For actions of a user that are no organization's own but reach into every organization they
 * belong to (an API token acts in all of them): one entry in each, written in `tx`, each under
 * that organization's pin, so row-level security and the actor check hold as for any entry.
 */
export async function recordAuditInMemberOrgs(tx: Tx, userId: string, record: AuditRecord): Promise<void> {
  await tx.$executeRaw`SELECT set_config('app.org_id', '', true), set_config('app.user_id', ${userId}, true)`;
  const memberships = await tx.membership.findMany({ where: { userId }, select: { orgId: true }, orderBy: { orgId: 'asc' } });
  for (const { orgId } of memberships) {
    await tx.$executeRaw`SELECT set_config('app.org_id', ${orgId}, true)`;
    await recordAudit(tx, { orgId, userId }, record);
  }
}

export interface AuditFilter {
  readonly action?: string | null;
  readonly actorId?: string | null;
  readonly since?: Date | null;
}

const cursorOf = (entry: AuditEntry) => [entry.at.toISOString(), entry.id];

/** Newest first, filterable, paged in both directions over (at, id). ADMIN and up. */
export async function listAuditLog(scope: TenantScope, filter: AuditFilter, page: PageRequest): Promise<ConnectionShape<AuditEntry>> {
  requireRole(scope, 'member:manage');
  if (filter.action != null && filter.action.length > 100) throw badInput('action', 'action is at most 100 characters');
  const cursor = keysetCursorOf(page, ['timestamp', 'uuid']);
  const where: Prisma.AuditEntryWhereInput = {
    orgId: scope.orgId,
    ...(filter.action != null ? { action: filter.action } : {}),
    ...(filter.actorId != null ? { actorId: filter.actorId } : {}),
    ...(filter.since != null ? { at: { gte: filter.since } } : {}),
  };
  const keyset = keysetQuery(['at', 'id'], 'desc', page, cursor && [new Date(cursor[0]!), cursor[1]]);
  const rows = await scope.db.read((tx) => tx.auditEntry.findMany({ where: { AND: [where, keyset.where ?? {}] }, orderBy: keyset.orderBy, take: keyset.take }));
  return connectionOfPage(rows, page, cursorOf, () => scope.db.read((tx) => tx.auditEntry.count({ where })));
}
