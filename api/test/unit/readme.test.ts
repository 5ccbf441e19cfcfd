// The README is part of the product: its configuration table must list every variable, and CI
// must run the test command it gives. (The error and close-code tables are checked wherever they
// live, by their markers: error-vocabulary.test.ts, close-codes.test.ts.)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root';

const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');

test('the configuration table lists every variable config.ts reads', () => {
  const source = readFileSync(path.join(PROJECT_ROOT, 'api/src/config.ts'), 'utf8');
  const variables = new Set([...source.matchAll(/env\.([A-Z_]+)|\(env, '([A-Z_]+)'/g)].map((m) => m[1] ?? m[2]));
  expect(variables.size).toBeGreaterThan(20);
  for (const variable of variables) expect(readme).toContain(`| \`${variable}\` |`);
});

test('CI runs the Quick start test command', () => {
  const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Using the API'));
  const commands = [...quickStart.matchAll(/```sh\n(.+)\n```/g)].map((m) => m[1]);
  expect(commands).toEqual(['npm ci && npm start', 'npm ci && npm test']);
  const ci = readFileSync(path.join(PROJECT_ROOT, '.ci/run'), 'utf8');
  expect(ci).toMatch(/^npm ci\b/m);
  expect(ci).toMatch(/^npm test$/m);
});
