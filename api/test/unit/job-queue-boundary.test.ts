// Background work has one way in: jobs/enqueue.ts queues a task in the caller's transaction.
// Modules name tasks and payloads; none of them speaks to graphile-worker's queue directly.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root';

const SRC = path.join(PROJECT_ROOT, 'api/src');
const QUEUE_CALL = /graphile_worker\.add_job|\bquickAddJob\b|\baddJob\(/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

test('only jobs/ queues jobs: every other file goes through enqueue()', () => {
  const offenders = sourceFiles(SRC)
    .map((file) => path.relative(SRC, file).split(path.sep).join('/'))
    .filter((file) => !file.startsWith('jobs/'))
    .flatMap((file) =>
      readFileSync(path.join(SRC, file), 'utf8')
        .split('\n')
        .flatMap((line, index) => (QUEUE_CALL.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : [])),
    );
  expect(offenders).toEqual([]);
});

test('the check sees a direct queue call', () => {
  expect(QUEUE_CALL.test("await tx.$executeRaw`SELECT graphile_worker.add_job('x', '{}')`")).toBe(true);
});
