// One jest run, one project per test tier; a tier is a folder of api/test:
//   unit  pure rules, no database or network (seconds)
//   db    services and SQL on a real PostgreSQL (each file gets its own database)
//   e2e   the API over real HTTP and WebSockets, in-process or as a child process
//   slow  browsers, the production image, the embedded `npm start`, load-sized runs
// plus the infrastructure project (CDKTF synth). `npm test` runs them all; `npm run test:<tier>`
// runs one. api/test/faults has its own config (`npm run test:faults`).
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

module.exports = {
  maxWorkers: process.env.JEST_MAX_WORKERS ?? 2,
  // Only the top-level value counts: jest-circus ignores testTimeout inside `projects`.
  testTimeout: 120_000,
  projects: [...Object.entries(TIERS).map(([name, usesDatabase]) => apiProject(name, usesDatabase)), '<rootDir>/cdktf/jest.config.js'],
  // Coverage (`--coverage`, which `npm test` passes) is V8's own, so it costs little; the
  // threshold is the whole suite's level, so a run of one tier or file will not meet it.
  coverageProvider: 'v8',
  collectCoverageFrom: ['<rootDir>/api/src/**/*.ts', '!<rootDir>/api/src/generated/**'],
  // Just under the level measured on unit + db alone (statements 63.4, branches 82.2,
  // functions 53.2, lines 63.4 %); the whole suite is well above it.
  coverageThreshold: { global: { statements: 62, branches: 81, functions: 52, lines: 62 } },
};
