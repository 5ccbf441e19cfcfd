// Ids of rows written by raw statements: version 7 UUIDs, their first 48 bits the time in ms.
import { uuid7 } from '../../src/db/uuid7';

const FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('version 7, RFC 9562 variant, the milliseconds in the first 48 bits', () => {
  const now = Date.UTC(2026, 11, 3, 9, 0, 0, 123);
  const id = uuid7(now);
  expect(id).toMatch(FORMAT);
  expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now);
});

test('distinct, and ordered by time across milliseconds', () => {
  const ids = Array.from({ length: 1000 }, () => uuid7(1_700_000_000_000));
  expect(new Set(ids).size).toBe(ids.length);
  expect(uuid7(1_700_000_000_001) > uuid7(1_700_000_000_000)).toBe(true);
});
