/**
 * Neon's limits, in one place: every schema and resource reads them from here, so a change of Neon's rules is a
 * change of one line. Each constant names the rule and the Neon doc page that states it. Below them: what an
 * organization allows per Neon plan, and Neon's regions; `fleet.yaml` `orgs.<id>.limits` overrides the
 * per-organization ones for accounts whose limits Neon raised on request.
 *
 * The emulator (`emulator/rules.ts`) keeps its own copy on purpose: it is an independent model of Neon, and a test
 * against it would prove nothing if both sides read the same constant.
 */

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

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
export const MAX_SUSPEND_SECONDS = 7 * DAY;

/** A branch's `expires_at` may be at most 30 days ahead; https://neon.com/docs/guides/branch-expiration */
export const MAX_BRANCH_TTL_SECONDS = 30 * DAY;

/** Longest project name Neon accepts; https://api-docs.neon.tech/reference/createproject */
export const MAX_PROJECT_NAME_LENGTH = 64;

/** Longest `history_retention_seconds` on any plan; https://neon.com/docs/introduction/restore-window */
export const MAX_HISTORY_RETENTION_SECONDS = 30 * DAY;

/**
 * The fleet's tenant id: 1-47 lowercase letters, digits or -, starting with a letter or digit. Narrower than
 * Neon's names so `<prefix><id>` fits a project name and `<id>-before-<token>` a branch name;
 * https://neon.com/docs/manage/branches#branch-names
 */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,46}$/;
/** Longest tenant id, as {@link TENANT_ID_PATTERN} allows. */
export const MAX_TENANT_ID_LENGTH = 47;

/** When the figures below were read from https://neon.com/docs/introduction/plans (page updated 2026-03-20). */
export const NEON_LIMITS_READ_ON = "2026-12-01";

/** Most project ids one `POST /organizations/{source_org_id}/projects/transfer` takes (the API's `maxItems`). */
export const MAX_PROJECTS_PER_TRANSFER = 400;

/** Neon's plans an organization can be on. */
export const NEON_PLANS = ["free", "launch", "scale", "agent", "business", "enterprise"] as const;
export type NeonPlan = (typeof NEON_PLANS)[number];

/** What an organization on one Neon plan allows. */
export interface PlanLimits {
  /** Projects the organization may hold. */
  projects: number;
  /** Largest autoscaling maximum (compute.max when min < max), in CU. */
  maxAutoscalingCu: number;
  /** Largest fixed compute (min = max), in CU. */
  maxFixedCu: number;
  /** Shortest scale-to-zero delay, in seconds. */
  minSuspendSeconds: number;
  /** When set, the only scale-to-zero delay the plan offers (in seconds); `never` may still be allowed. */
  fixedSuspendSeconds?: number;
  /** Whether a compute may be kept always on (`suspendAfter: never`). */
  neverSuspend: boolean;
  /** Longest `history_retention_seconds` (the restore window). */
  maxHistoryRetentionSeconds: number;
  /** Branches included per project. */
  branchesPerProject: number;
}

/** Neon's limits per plan, as published on {@link NEON_LIMITS_READ_ON}. */
export const PLAN_LIMITS: Readonly<Record<NeonPlan, PlanLimits>> = {
  /** Free: 100 projects, autoscaling up to 2 CU, scale to zero after 5 min (cannot disable), 6 h restore, 10 branches. */
  free: {
    projects: 100,
    maxAutoscalingCu: 2,
    maxFixedCu: 2,
    minSuspendSeconds: 5 * MINUTE,
    fixedSuspendSeconds: 5 * MINUTE,
    neverSuspend: false,
    maxHistoryRetentionSeconds: 6 * HOUR,
    branchesPerProject: 10,
  },
  /** Launch: 100 projects, up to 16 CU, scale to zero after 5 min (can disable), 7 d restore, 10 branches. */
  launch: {
    projects: 100,
    maxAutoscalingCu: 16,
    maxFixedCu: 16,
    minSuspendSeconds: 5 * MINUTE,
    fixedSuspendSeconds: 5 * MINUTE,
    neverSuspend: true,
    maxHistoryRetentionSeconds: 7 * DAY,
    branchesPerProject: 10,
  },
  /** Scale: 1,000 projects (raised on request), autoscaling to 16 CU or fixed to 56 CU, 1 min..always on, 30 d, 25 branches. */
  scale: {
    projects: 1_000,
    maxAutoscalingCu: 16,
    maxFixedCu: MAX_CU,
    minSuspendSeconds: MINUTE,
    neverSuspend: true,
    maxHistoryRetentionSeconds: 30 * DAY,
    branchesPerProject: 25,
  },
  /** Agent: unlimited projects, Scale's compute and history (custom limits per contract: set them in `limits`). */
  agent: {
    projects: Number.POSITIVE_INFINITY,
    maxAutoscalingCu: 16,
    maxFixedCu: MAX_CU,
    minSuspendSeconds: MINUTE,
    neverSuspend: true,
    maxHistoryRetentionSeconds: 30 * DAY,
    branchesPerProject: 25,
  },
  /** Business (legacy plan): 5,000 projects, autoscaling to 16 CU or fixed to 56 CU, 30 d restore, 25 branches. */
  business: {
    projects: 5_000,
    maxAutoscalingCu: 16,
    maxFixedCu: MAX_CU,
    minSuspendSeconds: MINUTE,
    neverSuspend: true,
    maxHistoryRetentionSeconds: 30 * DAY,
    branchesPerProject: 25,
  },
  /** Enterprise: custom limits per contract (write them in `limits`); no project limit assumed. */
  enterprise: {
    projects: Number.POSITIVE_INFINITY,
    maxAutoscalingCu: 16,
    maxFixedCu: MAX_CU,
    minSuspendSeconds: MINUTE,
    neverSuspend: true,
    maxHistoryRetentionSeconds: 30 * DAY,
    branchesPerProject: 25,
  },
};

/** Neon's regions (`GET /regions`, https://neon.com/docs/introduction/regions), as read on {@link NEON_LIMITS_READ_ON}. */
export const NEON_REGIONS: readonly string[] = [
  "aws-us-east-1",
  "aws-us-east-2",
  "aws-us-west-2",
  "aws-eu-central-1",
  "aws-eu-west-2",
  "aws-ap-southeast-1",
  "aws-ap-southeast-2",
  "aws-sa-east-1",
  "azure-eastus2",
  "azure-westus3",
  "azure-gwc",
];

/** The limits of an organization on `plan`, with the plans' `limits` overrides over Neon's published ones. */
export function orgLimits(
  plan: NeonPlan,
  overrides: { projects?: number; maxComputeUnits?: number; historyRetention?: number } = {},
): PlanLimits {
  const published = PLAN_LIMITS[plan];
  const cu = overrides.maxComputeUnits;
  return {
    ...published,
    ...(overrides.projects === undefined ? {} : { projects: overrides.projects }),
    ...(cu === undefined ? {} : { maxAutoscalingCu: cu, maxFixedCu: cu }),
    ...(overrides.historyRetention === undefined ? {} : { maxHistoryRetentionSeconds: overrides.historyRetention }),
  };
}
