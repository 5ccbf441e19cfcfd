// The README is the front door: short, its two commands true (CI must run the test command it
// gives), every relative link in it and in docs/ pointing at a file that exists, and every
// repository path it names in a code span (api/…, prisma/…, scripts/…) existing.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root';

const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return markdownFiles(full);
    return name.endsWith('.md') ? [full] : [];
  });
}

/** Relative link targets of a Markdown text, outside code blocks and code spans. */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#'));
}

test('the README stays short: at most 250 lines', () => {
  expect(readme.split('\n').length).toBeLessThanOrEqual(250);
});

test('CI runs the Quick start test command', () => {
  const start = readme.indexOf('## Quick start');
  const quickStart = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const commands = [...quickStart.matchAll(/```sh\n(.+)\n```/g)].map((m) => m[1]);
  expect(commands).toEqual(['npm ci && npm start', 'npm ci && npm test']);
  const ci = readFileSync(path.join(PROJECT_ROOT, '.ci/run'), 'utf8');
  expect(ci).toMatch(/^npm ci\b/m);
  expect(ci).toMatch(/^npm test$/m);
});

const documents = [path.join(PROJECT_ROOT, 'README.md'), ...markdownFiles(path.join(PROJECT_ROOT, 'docs'))];

test('the docs folder has the four audiences', () => {
  for (const folder of ['using', 'operating', 'architecture', 'contributing']) {
    expect(markdownFiles(path.join(PROJECT_ROOT, 'docs', folder)).length).toBeGreaterThan(0);
  }
  expect(existsSync(path.join(PROJECT_ROOT, 'docs/contributing/CONVENTIONS.md'))).toBe(true);
});

test.each(documents.map((file) => [path.relative(PROJECT_ROOT, file), file]))('every relative link in %s points at an existing file', (_name, file) => {
  const broken = relativeLinks(readFileSync(file, 'utf8'))
    .map((target) => target.split('#')[0]!)
    .filter((target) => target !== '' && !existsSync(path.resolve(path.dirname(file), decodeURI(target))));
  expect(broken).toEqual([]);
});

test('the link check sees a broken link', () => {
  expect(relativeLinks('see [x](missing.md#a), [y](https://example.com), `[z](nope.md)`')).toEqual(['missing.md#a']);
});

test('every docs page is reachable from the README or another page', () => {
  const linked = new Set(
    documents.flatMap((file) => relativeLinks(readFileSync(file, 'utf8')).map((target) => path.resolve(path.dirname(file), target.split('#')[0]!))),
  );
  const orphans = documents.slice(1).filter((file) => !linked.has(file)).map((file) => path.relative(PROJECT_ROOT, file));
  expect(orphans).toEqual([]);
});

/** Where generated output lives: named in the docs, absent from a fresh checkout. */
const GENERATED_PATHS = ['api/public/ide', 'dist/', 'bench/results'];
const REPOSITORY_ROOTS = ['api/', 'prisma/', 'scripts/', 'cdktf/', 'ide/', '.ci/', '.github/'];

/** Code spans of a Markdown text that name a path of this repository (placeholders and wildcards aside). */
function repositoryPaths(markdown: string): string[] {
  return [...markdown.matchAll(/`([^`\n]+)`/g)]
    .map((m) => m[1]!.trim().replace(/^\.\//, ''))
    .filter((span) => REPOSITORY_ROOTS.some((root) => span.startsWith(root)))
    .filter((span) => !/[\s*<>{}…]|\.\.\./.test(span))
    .map((span) => span.replace(/[:#].*$/, '').replace(/[.,;]$/, ''));
}

test.each(documents.map((file) => [path.relative(PROJECT_ROOT, file), file]))('every repository path in %s exists', (_name, file) => {
  const missing = repositoryPaths(readFileSync(file, 'utf8')).filter(
    (target) => !GENERATED_PATHS.some((generated) => target.startsWith(generated)) && !existsSync(path.join(PROJECT_ROOT, target)),
  );
  expect(missing).toEqual([]);
});

test('the path check sees a missing path and skips placeholders', () => {
  expect(repositoryPaths('`api/src/nope.ts`, `npm test`, `api/src/modules/<area>/`, `api/test/{unit,db}`, `prisma/migrations/…_x`, `api/public/ide/`')).toEqual([
    'api/src/nope.ts',
    'api/public/ide/',
  ]);
});
