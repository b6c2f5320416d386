/**
 * Test timeouts, defined once. Generous on purpose: the machine running the tests may be busy, and a timeout is a
 * safety net against a hang, never a speed assertion (speed targets live in `bench/`).
 */

/** One test: a unit test, one engine run or one CLI call. jest.config.js sets it as `testTimeout`; keep them equal. */
export const TEST_MS = 120_000;
/** A story through the engine double: several `up`/`refresh`/`destroy` runs of a small fleet. */
export const STORY_MS = 240_000;
/** A story that also starts Postgres: migrations applied or a restore carried out on real databases. */
export const POSTGRES_STORY_MS = 300_000;
/** A run that must end soon after failing: below the minutes a failed program once spent on its error. */
export const FAILED_RUN_MS = 30_000;
/** A neonctl session: about twenty neonctl processes (each starts a Node CLI) and a fresh Postgres cluster. */
export const NEONCTL_SESSION_MS = 480_000;
