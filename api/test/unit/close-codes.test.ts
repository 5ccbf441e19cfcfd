// The WebSocket close codes: one registry (server/close-codes.ts) that every close in the code
// takes its code from (docs-tables.test.ts holds the documented table to the registry).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root';
import { CLOSE_CODES } from '../../src/server/close-codes';

const registered = Object.values(CLOSE_CODES);

test('each registered close code has one meaning', () => {
  expect(new Set(registered).size).toBe(registered.length);
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
