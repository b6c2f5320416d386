/** Jest runs the TypeScript tests through ts-jest; `npm test` type-checks the whole tree with tsc first. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: false }],
  },
  reporters: ["default", "<rootDir>/tests/support/resultsFileReporter.js"],
  testTimeout: 120000,
  maxWorkers: 2,
};
