// The WebSocket close codes: one registry (server/close-codes.ts) that every close in the code
// takes its code from, and one table in the documentation (after `<!-- close-codes -->`) that
// lists exactly the registry's codes.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root';
import { CLOSE_CODES } from '../../src/server/close-codes';
import { markedTable } from '../support/doc-tables';

const registered = Object.values(CLOSE_CODES);

test('each registered close code has one meaning', () => {
  expect(new Set(registered).size).toBe(registered.length);
});

test('the documented close-code table lists exactly the codes of the registry, each once', () => {
  const { rows } = markedTable('close-codes');
  const listed = rows.map((cells) => {
    const code = /^`(\d{4})`$/.exec(cells[0] ?? '');
    if (!code) throw new Error(`a close-code row must start with the code in backticks: | ${cells.join(' | ')} |`);
    return Number(code[1]);
  });
  expect(new Set(listed).size).toBe(listed.length);
  expect([...listed].sort()).toEqual([...registered].sort());
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

test('no source file closes a socket with a literal code: every code comes from the registry', () => {
  const registry = path.join(PROJECT_ROOT, 'api/src/server/close-codes.ts');
  const literal = /\.close\(\s*\d|\bcode\s*[:=]\s*(1\d{3}|4\d{3})\b|\bCloseCode\.\w+/;
  const offenders = sourceFiles(path.join(PROJECT_ROOT, 'api/src'))
    .filter((file) => file !== registry)
    .flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, index) => (literal.test(line) ? [`${path.relative(PROJECT_ROOT, file)}:${index + 1}: ${line.trim()}`] : [])),
    );
  expect(offenders).toEqual([]);
});
