// Relay pagination helpers: opaque cursors, page sizes, the look-ahead row.
import { AppError } from '../../src/errors/app-error';
import { connectionOfPage, decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, MAX_PAGE_SIZE, pageRequest } from '../../src/graphql/pagination';

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

test('first defaults to 50, allows 0 to 100 and refuses more, less or fractions; last likewise', () => {
  expect(pageRequest({}).size).toBe(DEFAULT_PAGE_SIZE);
  expect(pageRequest({ first: null }).size).toBe(50);
  expect(pageRequest({ first: 0 }).size).toBe(0);
  expect(pageRequest({ first: MAX_PAGE_SIZE }).size).toBe(100);
  expect(fieldOf(() => pageRequest({ first: 101 }))).toBe('first');
  expect(fieldOf(() => pageRequest({ first: -1 }))).toBe('first');
  expect(fieldOf(() => pageRequest({ first: 1.5 }))).toBe('first');
  expect(pageRequest({ last: 7 })).toEqual({ backward: true, size: 7, cursor: null, cursorField: 'before' });
  expect(pageRequest({ before: 'c' })).toEqual({ backward: true, size: 50, cursor: 'c', cursorField: 'before' });
  expect(fieldOf(() => pageRequest({ last: 101 }))).toBe('last');
});

test('paging both ways at once is refused', () => {
  expect(fieldOf(() => pageRequest({ first: 2, last: 2 }))).toBe('last');
  expect(fieldOf(() => pageRequest({ after: 'a', before: 'b' }))).toBe('last');
});

test('a forward connection uses the extra row only to tell that a next page exists', async () => {
  const rows = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
  const page = connectionOfPage(rows, pageRequest({ first: 2 }), (r) => [r.id], async () => 3);
  expect(page.edges.map((e) => e.node.id)).toEqual(['a', 'b']);
  expect(page.pageInfo.hasNextPage).toBe(true);
  expect(page.pageInfo.hasPreviousPage).toBe(false);
  expect(decodeCursor(page.pageInfo.endCursor, 1)).toEqual(['b']);
  expect(page.pageInfo.startCursor).toBe(page.edges[0]!.cursor);
  expect(await page.totalCount).toBe(3);
  const last = connectionOfPage(rows.slice(2), pageRequest({ first: 2, after: page.pageInfo.endCursor }), (r) => [r.id], async () => 3);
  expect(last.pageInfo.hasNextPage).toBe(false);
  expect(last.pageInfo.hasPreviousPage).toBe(true);
});

test('a backward page arrives nearest the cursor first and is turned back into list order', () => {
  // Rows fetched against the list's order: d, c, b (the extra row says more lie before).
  const page = connectionOfPage([{ id: 'd' }, { id: 'c' }, { id: 'b' }], pageRequest({ last: 2, before: encodeCursor(['e']) }), (r) => [r.id], async () => 5);
  expect(page.edges.map((e) => e.node.id)).toEqual(['c', 'd']);
  expect(page.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
  const start = connectionOfPage([{ id: 'b' }, { id: 'a' }], pageRequest({ last: 2 }), (r) => [r.id], async () => 2);
  expect(start.edges.map((e) => e.node.id)).toEqual(['a', 'b']);
  expect(start.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: false });
});
