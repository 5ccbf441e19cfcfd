// The first rows of a one-to-many relation for many parents in one statement: a LATERAL
// subquery per parent, each an index-ordered scan cut at `take` (a window over all the
// parents' rows would read every row of each). Also the parents' row counts, grouped. Lists
// of issues use it for comments and history; lists of projects and sprints for their issues.
import { Prisma } from '../generated/prisma/client';
import type { Tx } from './tx';
import { CUSTOM_PLAN } from './statement-names';

export interface FirstRowsQuery {
  /** The table and its alias (`comments t`), as trusted SQL (never input). */
  readonly from: Prisma.Sql;
  /** The column naming the parent, qualified by the alias. */
  readonly parent: Prisma.Sql;
  /** Further conditions every row must meet. */
  readonly where?: readonly Prisma.Sql[];
  /** Page order within a parent. */
  readonly order: Prisma.Sql;
  /** What to return, aliased to the model's field names. */
  readonly columns: Prisma.Sql;
}

function conditions(query: FirstRowsQuery, parentIs: Prisma.Sql): Prisma.Sql {
  return Prisma.join([Prisma.sql`${query.parent} ${parentIs}`, ...(query.where ?? [])], ' AND ');
}

export async function firstRowsPerParent<R>(tx: Tx, query: FirstRowsQuery, parentIds: readonly string[], take: number): Promise<R[]> {
  // row_number() over the page's own order streams with the index scan; it only fixes the
  // order of the combined result, which SQL would not promise otherwise.
  const rows = await tx.$queryRaw<(R & { place: bigint })[]>`
    SELECT ${Prisma.raw(CUSTOM_PLAN)} page.* FROM unnest(${[...parentIds]}::uuid[]) WITH ORDINALITY AS parents(batch_parent_id, n)
    CROSS JOIN LATERAL (
      SELECT ${query.columns}, row_number() OVER (ORDER BY ${query.order}) AS place FROM ${query.from}
      WHERE ${conditions(query, Prisma.sql`= parents.batch_parent_id`)}
      ORDER BY ${query.order} LIMIT ${take}) page
    ORDER BY parents.n, page.place`;
  return rows.map(({ place: _place, ...row }) => row as R);
}

/** How many rows each parent has (parents without any are left out). */
export function countRowsPerParent(tx: Tx, query: FirstRowsQuery, parentIds: readonly string[]): Promise<{ parentId: string; count: number }[]> {
  return tx.$queryRaw<{ parentId: string; count: number }[]>`
    SELECT ${query.parent} AS "parentId", count(*)::int AS count FROM ${query.from}
    WHERE ${conditions(query, Prisma.sql`= ANY(${[...parentIds]}::uuid[])`)}
    GROUP BY 1`;
}
