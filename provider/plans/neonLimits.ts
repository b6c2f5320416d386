/**
 * Neon's published limits, in one place: the regions a project can live in and, per Neon plan, what an
 * organization on it allows (projects, compute size, scale to zero, history retention, branches). Every check of
 * the plans reads them from here; `fleet.yaml` `orgs.<id>.limits` overrides the per-organization ones for accounts
 * whose limits Neon raised on request. When Neon changes its plans, change this file (and its date) only.
 *
 * The emulator keeps its own copy of the regions (emulator/regions.ts) on purpose: it is an independent model of
 * Neon, so a mistake here cannot hide in both.
 */

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** When the figures below were read from https://neon.com/docs/introduction/plans (page updated 2026-03-20). */
export const NEON_LIMITS_READ_ON = "2026-12-01";

/** Smallest compute Neon runs: 1/4 CU (https://neon.com/docs/manage/computes). */
export const MIN_COMPUTE_UNITS = 0.25;
/** Largest fixed compute Neon runs: 56 CU, on Scale (https://neon.com/docs/manage/computes). */
export const MAX_COMPUTE_UNITS = 56;
/** Neon's longest `suspend_timeout_seconds` other than -1 (never): 7 days (https://neon.com/docs/guides/scale-to-zero-guide). */
export const MAX_SUSPEND_SECONDS = 7 * DAY;
/** Neon's cap on `history_retention_seconds` on any plan: 30 days (https://neon.com/docs/introduction/branching#restore-window). */
export const MAX_HISTORY_RETENTION_SECONDS = 30 * DAY;
/** Neon's limit for a branch's `expires_at`: at most 30 days ahead (https://neon.com/docs/guides/branch-expiration). */
export const MAX_BRANCH_TTL_SECONDS = 30 * DAY;
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
    maxFixedCu: MAX_COMPUTE_UNITS,
    minSuspendSeconds: MINUTE,
    neverSuspend: true,
    maxHistoryRetentionSeconds: 30 * DAY,
    branchesPerProject: 25,
  },
  /** Agent: unlimited projects, Scale's compute and history (custom limits per contract: set them in `limits`). */
  agent: {
    projects: Number.POSITIVE_INFINITY,
    maxAutoscalingCu: 16,
    maxFixedCu: MAX_COMPUTE_UNITS,
    minSuspendSeconds: MINUTE,
    neverSuspend: true,
    maxHistoryRetentionSeconds: 30 * DAY,
    branchesPerProject: 25,
  },
  /** Business (legacy plan): 5,000 projects, autoscaling to 16 CU or fixed to 56 CU, 30 d restore, 25 branches. */
  business: {
    projects: 5_000,
    maxAutoscalingCu: 16,
    maxFixedCu: MAX_COMPUTE_UNITS,
    minSuspendSeconds: MINUTE,
    neverSuspend: true,
    maxHistoryRetentionSeconds: 30 * DAY,
    branchesPerProject: 25,
  },
  /** Enterprise: custom limits per contract (write them in `limits`); no project limit assumed. */
  enterprise: {
    projects: Number.POSITIVE_INFINITY,
    maxAutoscalingCu: 16,
    maxFixedCu: MAX_COMPUTE_UNITS,
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
