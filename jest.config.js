// One jest run, several projects: unit (pure rules), integration (services on a real
// PostgreSQL), e2e (the API over real HTTP/WebSockets/browser) and infra (CDKTF synth).
/** @type {import('jest').Config} */
const tsJest = [
  'ts-jest',
  { tsconfig: { allowJs: true, isolatedModules: true, module: 'commonjs', esModuleInterop: true, experimentalDecorators: true, emitDecoratorMetadata: true }, diagnostics: false },
];

const apiProject = (name, extra = {}) => ({
  displayName: name,
  rootDir: __dirname,
  testMatch: [`<rootDir>/api/test/${name}/**/*.test.ts`],
  testEnvironment: 'node',
  transform: { '^.+\\.(ts|js)$': tsJest },
  // jose ships ESM only; let ts-jest turn it into CommonJS like our own code.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  setupFiles: ['reflect-metadata'],
  ...extra,
});

module.exports = {
  maxWorkers: process.env.JEST_MAX_WORKERS ?? 2,
  // Only the top-level value counts: jest-circus ignores testTimeout inside `projects`.
  testTimeout: 120_000,
  projects: [
    apiProject('unit'),
    apiProject('integration', { globalSetup: '<rootDir>/api/test/support/global-setup.ts', globalTeardown: '<rootDir>/api/test/support/global-teardown.ts' }),
    apiProject('e2e', { globalSetup: '<rootDir>/api/test/support/global-setup.ts', globalTeardown: '<rootDir>/api/test/support/global-teardown.ts' }),
    '<rootDir>/cdktf/jest.config.js',
  ],
};
