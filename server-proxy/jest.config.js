/** Jest runs the TypeScript sources as native ES modules through ts-jest. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }]
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // The Kubernetes suite needs the test control plane: `npm run test:k8s` runs it on its own.
  testPathIgnorePatterns: process.env.LAKETAHOE_K8S_SUITE ? ['/node_modules/'] : ['/node_modules/', '<rootDir>/test/k8s/'],
  testTimeout: 120000
};
