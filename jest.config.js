// Three projects: unit (pure core, no engine), integration (real Prometheus/Redis processes),
// e2e (real Docker engine). Integration and e2e run in band: they share one engine and one machine.
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
};
export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testTimeout: 300_000,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
    { ...common, displayName: 'e2e', testTimeout: 900_000, testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};
