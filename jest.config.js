// One jest run, one project per test tier; a tier is a folder of api/test:
//   unit  pure rules, no database or network (seconds)
//   db    services and SQL on a real PostgreSQL (each file gets its own database)
//   e2e   the API over real HTTP and WebSockets, in-process or as a child process
//   slow  browsers, the production image, the embedded `npm start`, load-sized runs
// plus the infrastructure project (CDKTF synth). `npm test` runs them all; `npm run test:<tier>`
// runs one; `npm run test:coverage` runs unit and db with coverage. scripts/cluster/faults has its own
// config (`npm run test:faults`).
/** @type {import('jest').Config} */
const tsJest = [
  'ts-jest',
  { tsconfig: { allowJs: true, isolatedModules: true, module: 'commonjs', esModuleInterop: true, experimentalDecorators: true, emitDecoratorMetadata: true }, diagnostics: false },
];

/** The tiers and whether they need the test PostgreSQL (a migrated template per run). */
const TIERS = { unit: false, db: true, e2e: true, slow: true };

const database = {
  globalSetup: '<rootDir>/api/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/api/test/support/global-teardown.ts',
};

const apiProject = (name, usesDatabase) => ({
  displayName: name,
  rootDir: __dirname,
  testMatch: [`<rootDir>/api/test/${name}/**/*.test.ts`],
  testEnvironment: 'node',
  transform: { '^.+\\.(ts|js)$': tsJest },
  // jose ships ESM only; let ts-jest turn it into CommonJS like our own code.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  setupFiles: ['reflect-metadata'],
  ...(usesDatabase ? database : {}),
});

// `TEST_TIER=db` (or `unit,db`) runs those tiers only: the npm scripts use it rather than
// --selectProjects, which would take a file named after it for one more project name.
const selected = process.env.TEST_TIER ? process.env.TEST_TIER.split(',') : undefined;
for (const tier of selected ?? []) if (!(tier in TIERS)) throw new Error(`TEST_TIER: no tier "${tier}" (tiers: ${Object.keys(TIERS).join(', ')})`);
const tiers = Object.entries(TIERS).filter(([name]) => !selected || selected.includes(name));

module.exports = {
  maxWorkers: process.env.JEST_MAX_WORKERS ?? 2,
  // Only the top-level value counts: jest-circus ignores testTimeout inside `projects`.
  testTimeout: 120_000,
  projects: [...tiers.map(([name, usesDatabase]) => apiProject(name, usesDatabase)), ...(selected ? [] : ['<rootDir>/cdktf/jest.config.js'])],
  // Coverage is V8's own (no instrumenting transform). `npm run test:coverage` measures the unit
  // and db tiers against the threshold, which sits just under their level when it was set
  // (statements and lines 63.4 %, branches 82.2 %, functions 53.2 %), so it cannot fall
  // unnoticed. `npm test` collects none: on these tiers it made the run about 2.5 times as long.
  coverageProvider: 'v8',
  collectCoverageFrom: ['<rootDir>/api/src/**/*.ts', '!<rootDir>/api/src/generated/**'],
  coverageThreshold: { global: { statements: 63, branches: 81.5, functions: 52.5, lines: 63 } },
  // Four lines in the log; the per-file detail in coverage/lcov-report.
  coverageReporters: ['text-summary', 'json-summary', 'lcov'],
};
