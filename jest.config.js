/** Unit specs live beside the code (src/**\/*.spec.ts); e2e and medium suites under test/. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
    '^.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // pkijs 4 / asn1js 4 and their helpers ship ESM only: compile them to CommonJS for Jest
  // (node itself loads them through require(esm)).
  transformIgnorePatterns: ['/node_modules/(?!(asn1js|pkijs|bytestreamjs|@noble/hashes|@peculiar/utils)/)'],
  testTimeout: 60000,
  setupFiles: ['<rootDir>/test/helpers/jest-setup.ts'],
};
