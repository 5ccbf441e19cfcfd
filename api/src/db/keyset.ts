// Keyset paging with Prisma's query API: the rows past a cursor over one or two columns, in
// a connection's natural order or (paging backward) against it, nearest the cursor first.

type Direction = 'asc' | 'desc';

/** What of a page request keyset paging needs (the GraphQL kit's PageRequest is one). */
export interface KeysetPage {
  /** Rows on the page; one more is fetched to tell whether there is another. */
  readonly size: number;
  /** Paging toward the start (last/before). */
  readonly backward: boolean;
}

export interface KeysetQuery {
  /** Rows strictly past the cursor in the fetch direction; undefined without a cursor. */
  readonly where: Record<string, unknown> | undefined;
  readonly orderBy: Record<string, Direction>[];
  readonly take: number;
}

/**
 * `columns` in the connection's `natural` order, `values` the cursor's (already typed) values.
 * The caller ANDs `where` with its own filter.
 */
export function keysetQuery(columns: readonly [string] | readonly [string, string], natural: Direction, request: KeysetPage, values: readonly unknown[] | null): KeysetQuery {
  const direction: Direction = request.backward === (natural === 'asc') ? 'desc' : 'asc';
  const past = direction === 'asc' ? 'gt' : 'lt';
  let where: Record<string, unknown> | undefined;
  if (values) {
    const [first, second] = columns;
    where = second === undefined
      ? { [first]: { [past]: values[0] } }
      : { OR: [{ [first]: { [past]: values[0] } }, { [first]: values[0], [second]: { [past]: values[1] } }] };
  }
  return { where, orderBy: columns.map((column) => ({ [column]: direction })), take: request.size + 1 };
}
