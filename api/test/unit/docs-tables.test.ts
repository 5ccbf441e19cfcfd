// Tables in docs/ that the code can produce are held equal to the code here, so they cannot
// drift: the error codes, the settings (names and defaults) and the WebSocket close codes.
// (The role matrix is held by api/test/e2e/role-matrix.test.ts, which owns its spec.)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ALL_ERROR_CODES, ERROR_CODES } from '../../src/errors/error-code';
import { PROJECT_ROOT } from '../../src/project-root';
import { CLOSE_CODES } from '../../src/server/close-codes';
import { docFiles, markdownTables, markedTable, plain, readDoc, type MarkdownTable } from '../support/markdown-tables';

const configSource = readFileSync(path.join(PROJECT_ROOT, 'api/src/config.ts'), 'utf8');

/** Every variable config.ts reads. */
const configVariables = new Set([...configSource.matchAll(/env\.([A-Z][A-Z0-9_]*)|\(env, '([A-Z][A-Z0-9_]*)'/g)].map((m) => (m[1] ?? m[2])!));

/** Defaults config.ts states as plain values: numbers (products like `8 * 1024` too), booleans, strings. */
function configDefaults(source: string): Map<string, string> {
  const defaults = new Map<string, string>();
  for (const m of source.matchAll(/\b(?:int|bool)\(env, '([A-Z][A-Z0-9_]*)', ([^,]+),/g)) {
    const expression = m[2]!.trim();
    if (/^(true|false)$/.test(expression)) defaults.set(m[1]!, expression);
    else if (/^[\d_]+(\s*\*\s*[\d_]+)*$/.test(expression)) {
      defaults.set(m[1]!, String(expression.split('*').reduce((product, factor) => product * Number(factor.trim().replace(/_/g, '')), 1)));
    }
  }
  for (const m of source.matchAll(/env\.([A-Z][A-Z0-9_]*) \|\| '([^']*)'/g)) defaults.set(m[1]!, m[2]!);
  // `env.X ? int(env, 'X', 0, …) : undefined`: the fallback never applies; unset means undefined.
  for (const m of source.matchAll(/env\.([A-Z][A-Z0-9_]*) \? /g)) defaults.delete(m[1]!);
  return defaults;
}

/** The default a table cell states: its first number (thousands separators allowed) or boolean, else its text. */
function statedDefault(cell: string): string {
  const withoutNames = cell.replace(/`[A-Z][A-Z0-9_]+`/g, '');
  const value = /\b(true|false)\b|(\d[\d,]*)/.exec(withoutNames);
  if (!value) return plain(withoutNames);
  return value[1] ?? value[2]!.replace(/,/g, '');
}

/** Rows of tables with a "default" column whose stated default differs from config.ts. */
function defaultMismatches(tables: readonly MarkdownTable[], defaults: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const table of tables) {
    const column = table.header.findIndex((title) => /default/i.test(title));
    if (column < 0) continue;
    for (const row of table.rows) {
      // The setting a row is about: named outside the default column (else inside it, as in "`X` (20)").
      const nameIn = (cell: string) => [...cell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!).find((name) => configVariables.has(name));
      const variable = row.map((cell, index) => (index === column ? undefined : nameIn(cell))).find((name) => name !== undefined) ?? nameIn(row[column] ?? '');
      if (!variable || !defaults.has(variable)) continue;
      const expected = defaults.get(variable)!;
      const cell = row[column] ?? '';
      const isNumeric = /^\d+$/.test(expected) || /^(true|false)$/.test(expected);
      const matches = isNumeric ? statedDefault(cell) === expected : plain(cell).includes(expected);
      if (!matches) problems.push(`${table.file}: ${variable} says "${cell}", config.ts says ${expected}`);
    }
  }
  return problems;
}

describe('the error table (docs/using/errors.md)', () => {
  const table = markedTable('docs/using/errors.md', 'error-codes');
  const listed = table.rows.map((row) => plain(row[0]!));

  test.each(ALL_ERROR_CODES)('lists %s with its HTTP status and retryability', (code) => {
    const row = table.rows.find((r) => plain(r[0]!) === code);
    expect(row?.[1]).toBe(String(ERROR_CODES[code].httpStatus));
    expect(row?.[2]).toBe(ERROR_CODES[code].retryable ? 'yes' : 'no');
  });

  test('lists no code the registry lacks, and none twice', () => {
    expect([...listed].sort()).toEqual([...ALL_ERROR_CODES].sort());
  });
});

describe('the settings table (docs/operating/configuration.md)', () => {
  const table = markedTable('docs/operating/configuration.md', 'settings');
  const listed = table.rows.map((row) => plain(row[0]!));

  test('lists exactly the variables config.ts reads, each once', () => {
    expect(configVariables.size).toBeGreaterThan(20);
    expect([...listed].sort()).toEqual([...configVariables].sort());
  });

  test('states the defaults config.ts gives', () => {
    expect(defaultMismatches([table], configDefaults(configSource))).toEqual([]);
  });
});

test('every docs table with a default column agrees with config.ts on the settings it names', () => {
  const defaults = configDefaults(configSource);
  expect(defaults.size).toBeGreaterThan(40);
  const tables = docFiles().flatMap((file) => markdownTables(readDoc(file), file));
  expect(defaultMismatches(tables, defaults)).toEqual([]);
});

test('the default check reports a doctored default', () => {
  const doctored = markdownTables('| variable | default | meaning |\n|---|---|---|\n| `DB_POOL_MAX` | `12` | connections |\n| `JWT_ISSUER` | `someone` | iss |\n', 'doctored.md');
  expect(defaultMismatches(doctored, configDefaults(configSource))).toEqual([
    'doctored.md: DB_POOL_MAX says "`12`", config.ts says 10',
    'doctored.md: JWT_ISSUER says "`someone`", config.ts says tracker-api',
  ]);
});

test('the close-code table (docs/using/realtime.md) lists exactly the codes of the close-code registry', () => {
  const table = markedTable('docs/using/realtime.md', 'close-codes');
  const listed = table.rows.map((row) => Number(plain(row[0]!)));
  const registered = [...new Set(Object.values(CLOSE_CODES))];
  expect([...listed].sort()).toEqual([...registered].sort());
  expect(new Set(listed).size).toBe(listed.length);
});

test('no table appears twice in the docs', () => {
  const seen = new Map<string, string>();
  const twice: string[] = [];
  for (const file of ['README.md', ...docFiles()]) {
    for (const table of markdownTables(readDoc(file), file)) {
      const body = table.rows.map((row) => row.join('|')).join('\n');
      if (table.rows.length < 2) continue;
      const first = seen.get(body);
      if (first) twice.push(`${file} repeats a table of ${first}`);
      else seen.set(body, file);
    }
  }
  expect(twice).toEqual([]);
});
