/** Unit tests live beside the code (libs/**), integration and end-to-end tests in tests/. */
module.exports = {
  testEnvironment: '<rootDir>/tests/support/jest-environment.js',
  roots: ['<rootDir>/libs', '<rootDir>/tests', '<rootDir>/apps'],
  testMatch: ['**/*.spec.ts', '**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: {
    '^@lazyllm/engine$': '<rootDir>/libs/engine/src',
    '^@lazyllm/engine/(.*)$': '<rootDir>/libs/engine/src/$1',
    '^@lazyllm/datasets$': '<rootDir>/libs/datasets/src',
    '^@lazyllm/contracts$': '<rootDir>/libs/contracts/src',
    '^@lazyllm/jobs$': '<rootDir>/libs/jobs/src',
    '^@lazyllm/handoff$': '<rootDir>/libs/handoff/src',
    '^@lazyllm/prompts$': '<rootDir>/libs/prompts/src',
    '^@lazyllm/redis-server$': '<rootDir>/libs/redis-server/src',
    '^@lazyllm/metrics$': '<rootDir>/libs/metrics/src',
    '^@lazyllm/prefix-cache$': '<rootDir>/libs/prefix-cache/src',
  },
  testTimeout: 120000,
};
