// Reads a project's events for subscribers. Always through TenantDb: the rows a subscriber
// gets pass the same row-level security as a query's. A page is bounded in rows and in bytes:
// the sizes are measured in PostgreSQL first, so a page of megabyte events is never loaded
// whole into the process.
import type { IssueEvent } from '../../generated/prisma/client';
import type { TenantDb } from '../../tenancy/tenant-db';
import { EVENT_OVERHEAD_BYTES } from './byte-budget';

/** Rows per read, both for the shared live feed and for one subscriber's replay. */
export const EVENT_PAGE = 200;
/** Bytes per read at most (but always at least one event, whatever its size). */
export const EVENT_PAGE_BYTES = 2 * 2 ** 20;

export interface EventPage {
  readonly rows: IssueEvent[];
  /** More events may follow right away (the page was cut by its row or byte limit). */
  readonly hasMore: boolean;
}

/** The project's events with id > afterId, oldest first (id order is commit order per project). */
export function eventsAfter(db: TenantDb, projectId: string, afterId: bigint, limit = EVENT_PAGE, maxBytes = EVENT_PAGE_BYTES): Promise<EventPage> {
  return db.read(async (tx) => {
    const sized = await tx.$queryRaw<{ id: string; before: number }[]>`
      SELECT id::text AS id, (sum(bytes) OVER (ORDER BY id) - bytes)::float8 AS before
      FROM (
        SELECT id, ${EVENT_OVERHEAD_BYTES} + coalesce(octet_length("from"::text), 0) + coalesce(octet_length("to"::text), 0) + coalesce(octet_length(field), 0) AS bytes
        FROM issue_events
        WHERE org_id = ${db.orgId}::uuid AND project_id = ${projectId}::uuid AND id > ${afterId}
        ORDER BY id
        LIMIT ${limit}
      ) page
      ORDER BY id`;
    if (sized.length === 0) return { rows: [], hasMore: false };
    let taken = 1;
    while (taken < sized.length && sized[taken]!.before < maxBytes) taken += 1;
    const lastId = BigInt(sized[taken - 1]!.id);
    const rows = await tx.issueEvent.findMany({ where: { orgId: db.orgId, projectId, id: { gt: afterId, lte: lastId } }, orderBy: { id: 'asc' } });
    return { rows, hasMore: taken < sized.length || sized.length === limit };
  });
}

/** The newest event id of the project, or 0 when it has none. */
export async function latestEventId(db: TenantDb, projectId: string): Promise<bigint> {
  const newest = await db.read((tx) =>
    tx.issueEvent.findFirst({ where: { orgId: db.orgId, projectId }, orderBy: { id: 'desc' }, select: { id: true } }),
  );
  return newest?.id ?? 0n;
}
