// The organization's audit log. Writers call recordAudit inside the transaction of the change
// it records, so both commit or neither does; the table is append-only for the app role.
import type { AuditEntry } from '../../generated/prisma/client';
import { Prisma } from '../../generated/prisma/client';
import { badInput } from '../../errors/app-error';
import type { TenantDb } from '../../db/tenant-db';
import type { Tx } from '../../db/tx';
import { requireRole } from '../../auth/roles';
import { connectionOfPage, pageRequest, type ConnectionShape, type PageArgs } from '../../graphql/pagination';
import type { Actor } from '../organization/organization.service';
import type { AuditAction } from './audit-action';

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

export interface AuditFilter {
  readonly action?: string | null;
  readonly actorId?: string | null;
  readonly since?: Date | null;
}

const cursorOf = (entry: AuditEntry) => [entry.at.toISOString(), entry.id];

/** Newest first, filterable, paged in both directions over (at, id). ADMIN and up. */
export async function listAuditLog(actor: Actor, db: TenantDb, filter: AuditFilter, args: PageArgs): Promise<ConnectionShape<AuditEntry>> {
  requireRole(actor, 'member:manage');
  if (filter.action != null && filter.action.length > 100) throw badInput('action', 'action is at most 100 characters');
  const request = pageRequest(args, ['timestamp', 'uuid']);
  const where: Prisma.AuditEntryWhereInput = {
    orgId: actor.orgId,
    ...(filter.action != null ? { action: filter.action } : {}),
    ...(filter.actorId != null ? { actorId: filter.actorId } : {}),
    ...(filter.since != null ? { at: { gte: filter.since } } : {}),
  };
  // Forward walks toward older entries; backward toward newer ones, nearest the cursor first.
  const beyond = (cursor: string[]): Prisma.AuditEntryWhereInput => {
    const at = new Date(cursor[0]!);
    const id = cursor[1]!;
    return request.backward
      ? { OR: [{ at: { gt: at } }, { at, id: { gt: id } }] }
      : { OR: [{ at: { lt: at } }, { at, id: { lt: id } }] };
  };
  const direction = request.backward ? 'asc' : 'desc';
  const rows = await db.read((tx) =>
    tx.auditEntry.findMany({
      where: request.cursor ? { AND: [where, beyond(request.cursor)] } : where,
      orderBy: [{ at: direction }, { id: direction }],
      take: request.size + 1,
    }),
  );
  return connectionOfPage(rows, request, cursorOf, () => db.read((tx) => tx.auditEntry.count({ where })));
}
