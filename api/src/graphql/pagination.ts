// Relay connections: opaque cursors that carry the sort key and the id, so pages are stable
// under inserts; `first` and `last` are bounded. Every connection pages through pageRequest
// and connectionOfPage, forward and backward alike.
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

export function encodeCursor(values: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined, arity: number, field = 'after'): CursorValue[] | null {
  if (cursor === null || cursor === undefined) return null;
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === arity && values.every(isCursorValue)) return values as CursorValue[];
  } catch {
    // fall through to the error below
  }
  throw badInput(field, `${field} is not a valid cursor`);
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
export function decodeKeysetCursor(cursor: string | null | undefined, kinds: readonly CursorKind[], field = 'after'): string[] | null {
  const values = decodeCursor(cursor, kinds.length, field);
  if (values === null) return null;
  if (!kinds.every((kind, index) => CURSOR_KINDS[kind](values[index]!))) throw badInput(field, `${field} is not a valid cursor`);
  return values as string[];
}

/** A page's cursor over rows keyed by a sealed sequence id (issue events, deliveries): the row id, or null without one. */
export function sealedCursorOf(request: PageRequest, type: string): bigint | null {
  const values = keysetCursorOf(request, ['sealed']);
  if (values === null) return null;
  const rowId = openRowId(type, values[0]!);
  if (rowId === null) throw badInput(request.cursorField, `${request.cursorField} is not a valid cursor`);
  return rowId;
}

function isCursorValue(value: unknown): value is CursorValue {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** Relay's paging arguments: `first`/`after` forward, `last`/`before` backward. */
export interface PageArgs {
  readonly first?: number | null;
  readonly after?: string | null;
  readonly last?: number | null;
  readonly before?: string | null;
}

/** What a connection fetches: `size + 1` rows past the cursor, in page order or (backward) against it. */
export interface PageRequest {
  readonly backward: boolean;
  readonly size: number;
  /** The raw `after` (forward) or `before` (backward) cursor. */
  readonly cursor: string | null;
  readonly cursorField: 'after' | 'before';
}

/**
 * Reads Relay's arguments. Forward is the default; `last` (or a `before` cursor) pages
 * backward. Mixing the two directions is bad input; each size is at most MAX_PAGE_SIZE.
 */
export function pageRequest(args: PageArgs): PageRequest {
  const backward = args.last != null || args.before != null;
  if (backward && (args.first != null || args.after != null)) throw badInput('last', 'Page forward (first/after) or backward (last/before), not both');
  return backward
    ? { backward, size: sizeOf('last', args.last), cursor: args.before ?? null, cursorField: 'before' }
    : { backward, size: sizeOf('first', args.first), cursor: args.after ?? null, cursorField: 'after' };
}

/** The request's cursor, checked against the kinds of the keyset's columns. */
export function keysetCursorOf(request: PageRequest, kinds: readonly CursorKind[]): string[] | null {
  return decodeKeysetCursor(request.cursor, kinds, request.cursorField);
}

function sizeOf(field: 'first' | 'last', value: number | null | undefined): number {
  const size = value ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) throw badInput(field, `${field} must be between 0 and ${MAX_PAGE_SIZE}`);
  return size;
}

/**
 * The connection for rows fetched as `request` says (up to size + 1, nearest the cursor first):
 * the extra row tells whether more lie in the paging direction; a backward page is turned
 * back into page order.
 */
export function connectionOfPage<T>(rows: readonly T[], request: PageRequest, cursorOf: (row: T) => readonly CursorValue[], count: () => Promise<number>): ConnectionShape<T> {
  const more = rows.length > request.size;
  const page = rows.slice(0, request.size);
  if (request.backward) page.reverse();
  const edges = page.map((node) => ({ cursor: encodeCursor(cursorOf(node)), node }));
  let counted: Promise<number> | undefined;
  return {
    edges,
    pageInfo: {
      hasNextPage: request.backward ? request.cursor !== null : more,
      hasPreviousPage: request.backward ? more : request.cursor !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    get totalCount() {
      counted ??= count();
      return counted;
    },
  };
}
