// Keyset cursors are opaque to clients but not trusted: a forged one must be BAD_USER_INPUT
// on `after`, never a value that breaks the SQL it is spliced into (an INTERNAL_SERVER_ERROR).
import { randomUUID } from 'node:crypto';
import { AppError } from '../../src/errors/app-error';
import { decodeKeysetCursor, encodeCursor } from '../../src/graphql/pagination';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return `${error.code} ${error.field}`;
    throw error;
  }
  return 'accepted';
}

test('the cursors the lists write read back as they were', () => {
  const values = [new Date().toISOString(), randomUUID()];
  expect(decodeKeysetCursor(encodeCursor(values), ['timestamp', 'uuid'])).toEqual(values);
  expect(decodeKeysetCursor(encodeCursor(['1234567']), ['integer'])).toEqual(['1234567']);
  expect(decodeKeysetCursor(null, ['integer'])).toBeNull();
});

test.each([
  ['a timestamp that is no date', ['yesterday-ish', randomUUID()], ['timestamp', 'uuid']],
  ['a date PostgreSQL cannot hold', ['-271821-04-20T00:00:00.000Z', randomUUID()], ['timestamp', 'uuid']],
  ['an impossible date', ['2020-13-45T00:00:00.000Z', randomUUID()], ['timestamp', 'uuid']],
  ['an id that is no uuid', [new Date().toISOString(), 'x'], ['timestamp', 'uuid']],
  ['a number where a string is written', [1.5], ['integer']],
  ['an integer with a sign or a fraction', ['-1'], ['integer']],
  ['an integer too large for bigint', ['9'.repeat(19)], ['integer']],
  ['too few values', [randomUUID()], ['timestamp', 'uuid']],
] as const)('a cursor with %s is BAD_USER_INPUT on after', (_name, values, kinds) => {
  expect(refusal(() => decodeKeysetCursor(encodeCursor(values), kinds))).toBe('BAD_USER_INPUT after');
});
