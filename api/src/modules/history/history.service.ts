// Writes and reads issue history. Writers call recordEvents inside the transaction of the
// change itself, so a change and its history commit (or roll back) together.
import type { IssueEvent } from '../../generated/prisma/client';
import { Prisma } from '../../generated/prisma/client';
import type { TenantDb } from '../../db/tenant-db';
import type { Tx } from '../../db/tx';
import { connectionFrom, decodeKeysetCursor, pageSize, type ConnectionShape } from '../../graphql/pagination';
import type { EventKind } from './event-kind';

export interface EventDraft {
  readonly issueId: string;
  readonly projectId: string;
  readonly kind: EventKind;
  readonly field?: string;
  readonly from?: unknown;
  readonly to?: unknown;
}

function json(value: unknown): Prisma.InputJsonValue | typeof Prisma.JsonNull {
  return value === undefined || value === null ? Prisma.JsonNull : (value as Prisma.InputJsonValue);
}

export async function recordEvents(tx: Tx, orgId: string, actorId: string, drafts: readonly EventDraft[]): Promise<void> {
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
}

/** Newest first. */
export async function listHistory(db: TenantDb, issueId: string, first: number | null | undefined, after: string | null | undefined): Promise<ConnectionShape<IssueEvent>> {
  const size = pageSize(first);
  const cursor = decodeKeysetCursor(after, ['integer']);
  const where = { issueId };
  const rows = await db.read((tx) =>
    tx.issueEvent.findMany({
      where: cursor ? { ...where, id: { lt: BigInt(String(cursor[0])) } } : where,
      orderBy: { id: 'desc' },
      take: size + 1,
    }),
  );
  return connectionFrom(rows, size, (event) => [event.id.toString()], cursor !== null, () => db.read((tx) => tx.issueEvent.count({ where })));
}
