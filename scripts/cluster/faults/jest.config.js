// `npm run test:faults`: the fault scenarios against the local cluster (this workspace), one
// file at a time in name order. Separate from `npm test`: it builds the production bundle and
// runs for several minutes.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../../..',
  testMatch: ['<rootDir>/scripts/cluster/faults/**/*.test.ts'],
  testEnvironment: 'node',
  transform: {
    '^.+\\.(ts|js)$': [
      'ts-jest',
      { tsconfig: { allowJs: true, isolatedModules: true, module: 'commonjs', esModuleInterop: true, experimentalDecorators: true, emitDecoratorMetadata: true }, diagnostics: false },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/scripts/cluster/faults/support/global-setup.ts',
  globalTeardown: '<rootDir>/scripts/cluster/faults/support/global-teardown.ts',
  testSequencer: '<rootDir>/scripts/cluster/faults/support/sequencer.js',
  maxWorkers: 1,
  testTimeout: 300_000,
};
