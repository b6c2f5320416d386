/**
 * Neon's limits, in one place: every schema and resource reads them from here, so a change of Neon's rules is a
 * change of one line. Each constant names the rule and the Neon doc page that states it. Limits per Neon plan and
 * the list of Neon regions belong here too.
 *
 * The emulator (`emulator/rules.ts`) keeps its own copy on purpose: it is an independent model of Neon, and a test
 * against it would prove nothing if both sides read the same constant.
 */

const DAY_SECONDS = 86_400;

/** Smallest compute size in compute units (CU); https://neon.com/docs/manage/computes#compute-sizing */
export const MIN_CU = 0.25;
/** Largest compute size in CU (fixed size; autoscaling tops out lower); https://neon.com/docs/manage/computes */
export const MAX_CU = 56;

/** `suspend_timeout_seconds` value that means "never suspend"; https://neon.com/docs/guides/scale-to-zero-guide */
export const SUSPEND_NEVER = -1;
/** `suspend_timeout_seconds` meaning "Neon's default" (5 minutes); https://neon.com/docs/introduction/scale-to-zero */
export const SUSPEND_DEFAULT = 0;
/** Shortest explicit suspend timeout Neon accepts (1 minute); https://neon.com/docs/introduction/scale-to-zero */
export const MIN_SUSPEND_SECONDS = 60;
/** Longest suspend timeout Neon accepts (7 days); https://api-docs.neon.tech/reference/createproject */
export const MAX_SUSPEND_SECONDS = 7 * DAY_SECONDS;

/** A branch's `expires_at` may be at most 30 days ahead; https://neon.com/docs/guides/branch-expiration */
export const MAX_BRANCH_TTL_SECONDS = 30 * DAY_SECONDS;

/** Longest project name Neon accepts; https://api-docs.neon.tech/reference/createproject */
export const MAX_PROJECT_NAME_LENGTH = 64;

/** Longest `history_retention_seconds` on any plan; https://neon.com/docs/introduction/restore-window */
export const MAX_HISTORY_RETENTION_SECONDS = 30 * DAY_SECONDS;

/**
 * The fleet's tenant id: 1-47 lowercase letters, digits or -, starting with a letter or digit. Narrower than
 * Neon's names so `<prefix><id>` fits a project name and `<id>-before-<token>` a branch name;
 * https://neon.com/docs/manage/branches#branch-names
 */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,46}$/;
/** Longest tenant id, as {@link TENANT_ID_PATTERN} allows. */
export const MAX_TENANT_ID_LENGTH = 47;
