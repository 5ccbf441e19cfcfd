// Which statements go out as named prepared statements (db/statement-names.ts).
import { CUSTOM_PLAN, readStatementNames } from '../../src/db/statement-names';

test('parameterized reads get a name derived from their text; the same text, the same name', () => {
  const name = readStatementNames();
  const first = name({ sql: 'SELECT id FROM issues WHERE org_id = $1', args: ['a'] });
  expect(first).toMatch(/^r_[A-Za-z0-9_-]+$/);
  expect(name({ sql: 'SELECT id FROM issues WHERE org_id = $1', args: ['b'] })).toBe(first);
  expect(readStatementNames()({ sql: 'SELECT id FROM issues WHERE org_id = $1', args: ['c'] })).toBe(first);
  expect(name({ sql: ' WITH x AS (SELECT $1::int) SELECT * FROM x', args: [1] })).toMatch(/^r_/);
  expect(name({ sql: 'SELECT id FROM projects WHERE org_id = $1', args: ['a'] })).not.toBe(first);
});

test('transaction control, statements without parameters and writes stay unnamed', () => {
  const name = readStatementNames();
  for (const sql of ['BEGIN', 'COMMIT', 'SAVEPOINT request_write', 'SELECT 1']) expect(name({ sql, args: [] })).toBeUndefined();
  expect(name({ sql: 'INSERT INTO comments (id) VALUES ($1)', args: ['x'] })).toBeUndefined();
  expect(name({ sql: 'UPDATE projects SET issue_seq = issue_seq + 1 WHERE id = $1 RETURNING id', args: ['x'] })).toBeUndefined();
});

test('past the cap, new texts go unnamed and the named ones keep their names', () => {
  const name = readStatementNames(2);
  const a = name({ sql: 'SELECT $1::int AS a', args: [1] });
  const b = name({ sql: 'SELECT $1::int AS b', args: [1] });
  expect([a, b].every((n) => n !== undefined)).toBe(true);
  expect(name({ sql: 'SELECT $1::int AS c', args: [1] })).toBeUndefined();
  expect(name({ sql: 'SELECT $1::int AS a', args: [2] })).toBe(a);
});

test('a read that asks to be planned per execution stays unnamed, every time', () => {
  const name = readStatementNames();
  const sql = `SELECT ${CUSTOM_PLAN} id FROM issues WHERE project_id = $1 ORDER BY rank LIMIT $2`;
  expect(name({ sql, args: ['p', 51] })).toBeUndefined();
  expect(name({ sql, args: ['p', 51] })).toBeUndefined();
});
