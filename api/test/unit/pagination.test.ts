// Relay pagination helpers: opaque cursors, page sizes, the look-ahead row.
import { AppError } from '../../src/errors/app-error';
import { connectionFrom, decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, MAX_PAGE_SIZE, pageSize } from '../../src/graphql/pagination';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('BAD_USER_INPUT');
    return (error as AppError).field;
  }
  throw new Error('expected BAD_USER_INPUT');
}

test('a cursor round-trips its sort key and id and does not show them in clear text', () => {
  const values = ['2026-01-01 10:00:00+00', '0190b4a2-0000-7000-8000-000000000000'];
  const cursor = encodeCursor(values);
  expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  expect(cursor).not.toContain('2026');
  expect(decodeCursor(cursor, 2)).toEqual(values);
});

test('a cursor keeps nulls, numbers and booleans', () => {
  expect(decodeCursor(encodeCursor([null, 3, true]), 3)).toEqual([null, 3, true]);
});

test('no cursor means the first page', () => {
  expect(decodeCursor(null, 2)).toBeNull();
  expect(decodeCursor(undefined, 2)).toBeNull();
});

test('garbage, the wrong arity and nested values are BAD_USER_INPUT on after', () => {
  expect(fieldOf(() => decodeCursor('not a cursor', 2))).toBe('after');
  expect(fieldOf(() => decodeCursor(encodeCursor(['a']), 2))).toBe('after');
  expect(fieldOf(() => decodeCursor(Buffer.from(JSON.stringify([{}, 'x'])).toString('base64url'), 2))).toBe('after');
  expect(fieldOf(() => decodeCursor(Buffer.from('{"a":1}').toString('base64url'), 1))).toBe('after');
});

test('first defaults to 50, allows 0 to 100 and refuses more, less or fractions', () => {
  expect(pageSize(undefined)).toBe(DEFAULT_PAGE_SIZE);
  expect(pageSize(null)).toBe(50);
  expect(pageSize(0)).toBe(0);
  expect(pageSize(MAX_PAGE_SIZE)).toBe(100);
  expect(fieldOf(() => pageSize(101))).toBe('first');
  expect(fieldOf(() => pageSize(-1))).toBe('first');
  expect(fieldOf(() => pageSize(1.5))).toBe('first');
});

test('a connection uses the extra row only to tell that a next page exists', async () => {
  const rows = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
  const page = connectionFrom(rows, 2, (r) => [r.id], false, async () => 3);
  expect(page.edges.map((e) => e.node.id)).toEqual(['a', 'b']);
  expect(page.pageInfo.hasNextPage).toBe(true);
  expect(page.pageInfo.hasPreviousPage).toBe(false);
  expect(decodeCursor(page.pageInfo.endCursor, 1)).toEqual(['b']);
  expect(page.pageInfo.startCursor).toBe(page.edges[0]!.cursor);
  expect(await page.totalCount).toBe(3);
  const last = connectionFrom(rows.slice(2), 2, (r) => [r.id], true, async () => 3);
  expect(last.pageInfo.hasNextPage).toBe(false);
  expect(last.pageInfo.hasPreviousPage).toBe(true);
});

test('an empty page has null cursors and counts only when asked', async () => {
  let counted = 0;
  const page = connectionFrom([], 10, () => [], false, async () => ++counted);
  expect(page.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null });
  expect(counted).toBe(0);
  expect(await page.totalCount).toBe(1);
  expect(await page.totalCount).toBe(1);
});
