// Reads a project's events for subscribers. Always through TenantDb: the rows a subscriber
// gets pass the same row-level security as a query's.
import type { IssueEvent } from '../../generated/prisma/client';
import type { TenantDb } from '../../db/tenant-db';

/** Rows per read, both for the shared live feed and for one subscriber's replay. */
export const EVENT_PAGE = 200;

/** The project's events with id > afterId, oldest first (id order is commit order per project). */
export function eventsAfter(db: TenantDb, projectId: string, afterId: bigint, limit = EVENT_PAGE): Promise<IssueEvent[]> {
  return db.read((tx) =>
    tx.issueEvent.findMany({ where: { orgId: db.orgId, projectId, id: { gt: afterId } }, orderBy: { id: 'asc' }, take: limit }),
  );
}

/** The newest event id of the project, or 0 when it has none. */
export async function latestEventId(db: TenantDb, projectId: string): Promise<bigint> {
  const newest = await db.read((tx) =>
    tx.issueEvent.findFirst({ where: { orgId: db.orgId, projectId }, orderBy: { id: 'desc' }, select: { id: true } }),
  );
  return newest?.id ?? 0n;
}
