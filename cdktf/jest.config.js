// Jest project for the infrastructure tests; the root config includes it via `projects`.
// Transpile-only ts-jest (isolatedModules) keeps the cdktf/provider imports cheap, and the
// global setup synthesizes each environment once for every test file to read.
const path = require('node:path');

/** @type {import('jest').Config} */
module.exports = {
  displayName: 'infra',
  rootDir: path.join(__dirname, '..'),
  testMatch: ['<rootDir>/cdktf/test/**/*.test.ts'],
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true }, diagnostics: false }],
  },
  globalSetup: '<rootDir>/cdktf/test/global-setup.ts',
  globalTeardown: '<rootDir>/cdktf/test/global-teardown.ts',
};
