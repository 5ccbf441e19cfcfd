// Every test file belongs to a tier that some jest project runs: a file left in a folder no
// project matches (after a merge, or a new folder) would silently never run.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root';

type JestConfig = { projects: (string | { displayName: string; testMatch: string[] })[] };
/** The configuration as `npm test` sees it: every tier (`npm run test:unit` sets TEST_TIER). */
function fullConfig(): JestConfig {
  const tier = process.env.TEST_TIER;
  delete process.env.TEST_TIER;
  try {
    return require(path.join(PROJECT_ROOT, 'jest.config.js')) as JestConfig;
  } finally {
    if (tier !== undefined) process.env.TEST_TIER = tier;
  }
}
const config = fullConfig();
const TEST_ROOT = path.join(PROJECT_ROOT, 'api/test');
/** Folders with their own jest config or no tests: the fault scenarios and the helpers. */
const OUTSIDE_THE_TIERS = ['faults', 'support'];

const tiers = config.projects.filter((project) => typeof project === 'object');

test('the tiers are unit, db, e2e and slow, each the folder of its name', () => {
  expect(tiers.map((tier) => tier.displayName)).toEqual(['unit', 'db', 'e2e', 'slow']);
  for (const tier of tiers) expect(tier.testMatch).toEqual([`<rootDir>/api/test/${tier.displayName}/**/*.test.ts`]);
});

test('every test file under api/test is in a tier folder', () => {
  const files = readdirSync(TEST_ROOT, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.test.ts'));
  const stray = files.filter((file) => {
    const top = file.split(path.sep)[0]!;
    return !OUTSIDE_THE_TIERS.includes(top) && !tiers.some((tier) => tier.displayName === top);
  });
  expect(files.length).toBeGreaterThan(50);
  expect(stray).toEqual([]);
});
