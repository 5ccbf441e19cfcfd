// One error vocabulary: statuses and retryability live in the code table (errors/error-code.ts),
// error bodies are built by errors/error-body.ts, and database errors are read only by
// errors/database-errors.ts. These checks keep new code from growing a second copy of any.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ALL_ERROR_CODES, ERROR_CODES, isRetryable, requestErrorStatus } from '../../src/errors/error-code';
import { PROJECT_ROOT } from '../../src/project-root';

const SRC = path.join(PROJECT_ROOT, 'api/src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Lines outside `allowedDir` that match `pattern`, as file:line: text. */
function linesMatching(pattern: RegExp, allowedDir: string): string[] {
  return sourceFiles(SRC)
    .filter((file) => !file.startsWith(path.join(SRC, allowedDir) + path.sep))
    .flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, index) => (pattern.test(line) ? [`${path.relative(SRC, file)}:${index + 1}: ${line.trim()}`] : [])),
    );
}

test('every code has a status, a retryability and a meaning; a retryable code is never a success', () => {
  for (const code of ALL_ERROR_CODES) {
    const spec = ERROR_CODES[code];
    expect(spec.meaning.length).toBeGreaterThan(10);
    if (spec.retryable) expect(spec.httpStatus).toBeGreaterThanOrEqual(400);
    expect(requestErrorStatus(code)).toBeGreaterThanOrEqual(400);
  }
  // A code nobody registered is treated as the masked fault it becomes.
  expect(isRetryable('SOMETHING_ELSE')).toBe(isRetryable('INTERNAL_SERVER_ERROR'));
});

test('no error body is written by hand outside errors/', () => {
  expect(linesMatching(/errors:\s*\[\s*\{|\{\s*message[^}]*extensions:\s*\{\s*code\b/, 'errors')).toEqual([]);
});

test('no HTTP status of an error code is written as a number outside errors/', () => {
  const statuses = [...new Set(ALL_ERROR_CODES.map((code) => ERROR_CODES[code].httpStatus).filter((status) => status >= 400))].join('|');
  expect(linesMatching(new RegExp(`(status\\(|status\\s*[=:]\\s*|=== )(${statuses})\\b`), 'errors')).toEqual([]);
});

test('no SQLSTATE, Prisma error code or driver error detail is read outside errors/', () => {
  expect(linesMatching(/'(\d{2}[0-9A-Z]\d{2}|\d{2}P\d{2}|P[12]\d{3}|TN403|ECONNREFUSED|ECONNRESET)'|originalCode|driverAdapterError/, 'errors')).toEqual([]);
});
