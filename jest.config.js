/** Unit tests live beside the code (libs/**), integration and end-to-end tests in tests/. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/tests', '<rootDir>/apps'],
  testMatch: ['**/*.spec.ts', '**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }] },
  moduleNameMapper: {
    '^@lazyllm/engine$': '<rootDir>/libs/engine/src',
    '^@lazyllm/engine/(.*)$': '<rootDir>/libs/engine/src/$1',
  },
  testTimeout: 120000,
};
