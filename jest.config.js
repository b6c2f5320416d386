/**
 * Jest runs the TypeScript tests through ts-jest; `npm test` type-checks the whole tree with tsc first, then runs
 * both projects. `npm run test:unit` runs only the fast one.
 *
 * - `unit`: pure functions, schemas, the emulator's routes, and resource methods (`check`, `diff`, `create`, ...)
 *   called directly against the in-process emulator. Seconds each.
 * - `stories`: anything that drives the engine double (`tests/engine`), starts the CLI as a child process, runs
 *   neonctl, or starts Postgres. Every test file is in exactly one project: a file is a story when its path
 *   matches one of STORIES below, otherwise it is a unit test. A new story goes in a story folder, or gets a line
 *   here.
 */
const STORIES = [
  // Folders whose every test drives the engine double, the CLI or Postgres.
  "/tests/fleet/",
  "/tests/postgres/",
  "/tests/cli-import-usage/",
  // The engine double's own end-to-end runs.
  "/tests/engine/engine\\.test\\.ts$",
  "/tests/engine/conformance\\.test\\.ts$",
  "/tests/summarize/engineRoundTrip\\.test\\.ts$",
  // Tests that spawn `bin/neon-fleet.js` or neonctl.
  "/tests/cli\\.test\\.ts$",
  "/tests/emulator/cli\\.test\\.ts$",
  "/tests/emulator/neonctl\\.test\\.ts$",
  "/tests/plans/cli\\.test\\.ts$",
  "/tests/plans/restoreCli\\.test\\.ts$",
  "/tests/plans/schema\\.test\\.ts$",
  "/tests/stacks/shardsCli\\.test\\.ts$",
  "/tests/summarize/summarize\\.test\\.ts$",
];

const shared = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: false }],
  },
};

module.exports = {
  projects: [
    {
      ...shared,
      displayName: "unit",
      testMatch: ["**/*.test.ts"],
      testPathIgnorePatterns: ["/node_modules/", ...STORIES],
    },
    {
      ...shared,
      displayName: "stories",
      testRegex: STORIES.map((pattern) => `(${pattern}.*\\.test\\.ts$)`.replace("$.*\\.test\\.ts$", "$")),
    },
  ],
  // A global option: Jest ignores testTimeout inside a project.
  testTimeout: 120000,
  reporters: ["default", "<rootDir>/tests/support/resultsFileReporter.js"],
  maxWorkers: 2,
};
