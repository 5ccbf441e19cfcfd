// The first rows of a one-to-many relation for many parents in one statement: a window over
// the parents' rows, cut at `take` per parent. Lists of issues use it for comments and history.
import { Prisma } from '../generated/prisma/client';
import type { Tx } from './tx';

export interface FirstRowsQuery {
  /** The table, as trusted SQL (never input). */
  readonly table: Prisma.Sql;
  /** The column naming the parent. */
  readonly parent: Prisma.Sql;
  /** Page order within a parent. */
  readonly order: Prisma.Sql;
  /** What to return, aliased to the model's field names. */
  readonly columns: Prisma.Sql;
}

export function firstRowsPerParent<R>(tx: Tx, query: FirstRowsQuery, parentIds: readonly string[], take: number): Promise<R[]> {
  return tx.$queryRaw<R[]>`
    SELECT ${query.columns}
    FROM (SELECT t.*, row_number() OVER (PARTITION BY ${query.parent} ORDER BY ${query.order}) AS place
          FROM ${query.table} t WHERE ${query.parent} = ANY(${[...parentIds]}::uuid[])) ranked
    WHERE place <= ${take}
    ORDER BY ${query.parent}, place`;
}
