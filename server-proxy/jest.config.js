/**
 * Jest runs the TypeScript sources as native ES modules through ts-jest, in two projects: `sqlite` runs
 * every test; `postgres` runs the store, API and monitoring tests again against a PostgreSQL that its
 * global set-up starts for the run (test/helpers/postgres.ts).
 */
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }]
  },
  // The Kubernetes suite needs the test control plane: `npm run test:k8s` runs it on its own.
  testPathIgnorePatterns: process.env.LAKETAHOE_K8S_SUITE ? ['/node_modules/'] : ['/node_modules/', '<rootDir>/test/k8s/'],
  testTimeout: 120000
};

/** Tests that reach the store: they run once per store. */
export const STORE_TESTS = ['store', 'api', 'monitoring'].map(dir => `<rootDir>/test/${dir}/**/*.test.ts`);

export default {
  // Also here: jest reads the default timeout of a multi-project run from the top level only.
  testTimeout: common.testTimeout,
  projects: [
    {
      ...common,
      displayName: 'sqlite',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // PostgreSQL's own tests (migrations, the migration from SQLite) need the server: postgres project only.
      testPathIgnorePatterns: [...common.testPathIgnorePatterns, '<rootDir>/test/store/postgres/']
    },
    {
      ...common,
      displayName: 'postgres',
      testMatch: STORE_TESTS,
      globalSetup: '<rootDir>/test/postgres/globalSetup.mjs',
      globalTeardown: '<rootDir>/test/postgres/globalTeardown.mjs',
      setupFiles: ['<rootDir>/test/postgres/useStore.cjs']
    }
  ]
};
