// The README is part of the product: its tables must list every error code and every
// configuration variable, and CI must run the test command it gives.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ALL_ERROR_CODES, ERROR_CODES } from '../../src/errors/error-code';
import { PROJECT_ROOT } from '../../src/project-root';

const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');

test.each(ALL_ERROR_CODES)('the error table lists %s with its HTTP status', (code) => {
  expect(readme).toMatch(new RegExp(`\\| \`${code}\` \\| ${ERROR_CODES[code].httpStatus} \\|`));
});

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
