// Relay connections: opaque cursors that carry the sort key and the id, so pages are stable
// under inserts; `first` is bounded.
import { badInput } from '../errors/app-error';
import { UUID } from './global-id';
import { openRowId } from './sealed-row-id';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

export interface PageInfoShape {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly startCursor: string | null;
  readonly endCursor: string | null;
}

export interface EdgeShape<T> {
  readonly cursor: string;
  readonly node: T;
}

export interface ConnectionShape<T> {
  readonly edges: readonly EdgeShape<T>[];
  readonly pageInfo: PageInfoShape;
  /** A getter: only counted when the client asks for it. */
  readonly totalCount: Promise<number> | number;
}

export type CursorValue = string | number | boolean | null;

/**
 * First pages fetched for many parents at once (the request's loaders): a connection asked
 * on every item of a list then costs one statement, not one per item.
 */
export interface FirstPageSource<T> {
  /** Up to `take` rows of the parent, in page order. */
  firstPage(parentId: string, take: number): Promise<T[]>;
  count(parentId: string): Promise<number>;
}

export function pageSize(first: number | null | undefined): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw badInput('first', `first must be between 0 and ${MAX_PAGE_SIZE}`);
  }
  return size;
}

export function encodeCursor(values: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined, arity: number): CursorValue[] | null {
  if (cursor === null || cursor === undefined) return null;
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === arity && values.every(isCursorValue)) return values as CursorValue[];
  } catch {
    // fall through to the error below
  }
  throw badInput('after', 'after is not a valid cursor');
}

/** What a keyset cursor position holds, checked before it reaches SQL. */
export type CursorKind = 'timestamp' | 'uuid' | 'integer' | 'sealed';

const CURSOR_KINDS: Readonly<Record<CursorKind, (value: CursorValue) => boolean>> = {
  timestamp: (value) => typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$/.test(value) && !Number.isNaN(Date.parse(value)),
  uuid: (value) => typeof value === 'string' && UUID.test(value),
  integer: (value) => typeof value === 'string' && /^[0-9]{1,18}$/.test(value),
  /** A sealed row id (sealed-row-id.ts); the caller opens it. */
  sealed: (value) => typeof value === 'string' && /^[A-Za-z0-9_-]{22}$/.test(value),
};

/** decodeCursor whose values must be of the given kinds: a forged cursor is bad input, not a database error. */
export function decodeKeysetCursor(cursor: string | null | undefined, kinds: readonly CursorKind[]): string[] | null {
  const values = decodeCursor(cursor, kinds.length);
  if (values === null) return null;
  if (!kinds.every((kind, index) => CURSOR_KINDS[kind](values[index]!))) throw badInput('after', 'after is not a valid cursor');
  return values as string[];
}

/** A cursor over rows keyed by a sealed sequence id (issue events, deliveries): the row id, or null on the first page. */
export function decodeSealedCursor(cursor: string | null | undefined, type: string): bigint | null {
  const values = decodeKeysetCursor(cursor, ['sealed']);
  if (values === null) return null;
  const rowId = openRowId(type, values[0]!);
  if (rowId === null) throw badInput('after', 'after is not a valid cursor');
  return rowId;
}

function isCursorValue(value: unknown): value is CursorValue {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/**
 * Builds a connection from up to `size + 1` rows fetched after the cursor: the extra row
 * only tells whether there is a next page.
 */
export function connectionFrom<T>(
  rows: readonly T[],
  size: number,
  cursorOf: (row: T) => readonly CursorValue[],
  hasCursor: boolean,
  count: () => Promise<number>,
): ConnectionShape<T> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ cursor: encodeCursor(cursorOf(node)), node }));
  let counted: Promise<number> | undefined;
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > size,
      hasPreviousPage: hasCursor,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    get totalCount() {
      counted ??= count();
      return counted;
    },
  };
}
