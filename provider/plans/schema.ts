/**
 * The zod schemas of the plan file kinds (README "Plans"). They are the single source: the
 * parsed file types below are inferred from them and `neon-fleet schema` renders them as JSON Schema. Values in
 * plan units are parsed here (transforms), so a parsed file already holds Neon units (seconds, bytes).
 *
 * Issue messages read as the end of a sentence whose subject (the key path) is added where the issue is reported.
 */
import { z } from "zod";
import {
  MAX_BRANCH_TTL_SECONDS,
  MAX_CU,
  MAX_HISTORY_RETENTION_SECONDS,
  MAX_PROJECT_NAME_LENGTH,
  MAX_SUSPEND_SECONDS,
  MIN_CU,
  MIN_SUSPEND_SECONDS,
  NEON_PLANS,
  NEON_REGIONS,
  SUSPEND_NEVER,
  TENANT_ID_PATTERN,
} from "../neon/limits";
import { DURATION_PATTERN, SIZE_PATTERN, formatDuration, parseDuration, parseSize } from "./units";

export { MAX_HISTORY_RETENTION_SECONDS } from "../neon/limits";

/** How many `-before-` backup branches a tenant keeps by default (Neon allows 10 branches per project on Launch). */
export const DEFAULT_KEEP_BACKUPS = 3;
/** Neon's branch limit per project on its Launch plan: more backups than that could never be kept. */
const MAX_KEEP_BACKUPS = 10;
/** Neon's branch limit per project on Launch (neon.com/docs/introduction/plans). */
export const LAUNCH_BRANCHES_PER_PROJECT = MAX_KEEP_BACKUPS;
/** Neon's branch limit per project on Scale (neon.com/docs/introduction/plans). */
export const SCALE_BRANCHES_PER_PROJECT = 25;
/** Neon's highest branch limit per project, on paid plans that raise it (neon.com/docs/introduction/plans). */
export const MAX_BRANCHES_PER_PROJECT = 5_000;
/** Tenant branches per template project when a branch tier names none: well below Neon's 5,000. */
export const DEFAULT_BRANCHES_PER_PROJECT = 500;
/**
 * The quota keys Neon applies to a whole project (every branch together), unlike `storage`, which it applies per
 * branch: on a branch tier one tenant reaching them would suspend every tenant of its template project.
 */
export const PROJECT_WIDE_QUOTA_KEYS = ["computeTime", "activeTime", "writtenData", "dataTransfer"] as const;

/** Shows a rejected input value in a message. */
export function shown(input: unknown): string {
  if (typeof input === "string") return JSON.stringify(input);
  if (Array.isArray(input)) return input.length === 0 ? "an empty list" : "a list";
  if (input === null || input === undefined) return "nothing";
  if (typeof input === "object") return "a mapping";
  return String(input);
}

/** An issue message `must <rule>, got <value>`. */
function must(rule: string): { error: (issue: { input?: unknown }) => string } {
  return { error: (issue) => `must ${rule}, got ${shown(issue.input)}` };
}

/** Like {@link must} for a rule checked after unit parsing: shows the rejected value in plan units again. */
function mustDuration(rule: string): { error: (issue: { input?: unknown }) => string } {
  return {
    error: (issue) =>
      `must ${rule}, got ${issue.input === 0 ? "0s" : typeof issue.input === "number" ? formatDuration(issue.input) : shown(issue.input)}`,
  };
}

/** A mapping that rejects unknown keys and names the allowed ones. */
function strict<Shape extends z.ZodRawShape>(shape: Shape) {
  const allowed = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? `allowed: ${allowed}` : undefined),
  });
}

const name = (what: string) =>
  z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, must(`be a ${what} name of lowercase letters, digits, - and _`));
const tierName = name("tier").meta({ description: "A tier defined in tiers.yaml" });
const residencyName = name("residency group").meta({ description: "A residency group defined in fleet.yaml" });

const REGION_SHAPE = /^(aws|azure|gcp)-[a-z0-9-]+$/;
const regionId = z
  .string()
  .regex(REGION_SHAPE, must("be a Neon region id such as aws-us-east-2"))
  // A well-formed id Neon does not have (aws-mars-1) would pass until the first create fails at `up`.
  .refine(
    (id) => !REGION_SHAPE.test(id) || NEON_REGIONS.includes(id),
    must(`be one of Neon's regions: ${NEON_REGIONS.join(", ")}`),
  )
  .meta({ description: "Neon region id, e.g. aws-us-east-2" });

const orgId = z
  .string(must("be a Neon organization id"))
  .regex(/^org-[a-z0-9-]+$/, must("be a Neon organization id such as org-example-123"));

const pgVersion = z
  .number(must("be a Postgres major version from 14 to 18"))
  .int(must("be a whole number from 14 to 18"))
  .min(14, must("be from 14 to 18"))
  .max(18, must("be from 14 to 18"))
  .meta({ description: "Postgres major version, 14..18" });

const onRemove = z.enum(["retain", "delete"], must("be retain or delete")).meta({
  description:
    "What removing the tenant from plans does: retain (default) releases the Neon project, delete deletes it",
});

const cu = z
  .number(must(`be compute units from ${MIN_CU} to ${MAX_CU}`))
  .min(MIN_CU, must(`be from ${MIN_CU} to ${MAX_CU} CU`))
  .max(MAX_CU, must(`be from ${MIN_CU} to ${MAX_CU} CU`));

/** Duration text, optionally also one special word (`unlimited`, `never`); parsed to seconds by the caller. */
function durationText(word?: "unlimited" | "never") {
  const rule = `be a duration such as 90s, 5m, 100h, 7d${word ? ` or ${word}` : ""}`;
  return z
    .string(must(rule))
    .regex(new RegExp(word ? `^${word}$|${DURATION_PATTERN}` : DURATION_PATTERN), must(rule))
    .refine((text) => text !== "", must(rule));
}

/** Past 2^53 a number no longer holds every whole value: the quota Neon received would not be the one written. */
const exact = (most: string, unit: string) => ({
  error: () => `must be at most ${most} (2^53 - 1 ${unit}, the largest exact number)`,
});

/** A quota duration: `100h`, or `unlimited` (0). */
const quotaDuration = durationText("unlimited")
  .transform(parseDuration)
  .refine(Number.isSafeInteger, exact("104249991374d", "seconds"))
  .meta({ description: "Duration (90s, 5m, 100h, 7d) or unlimited" });

/** A quota size: `512MiB`, or `unlimited` (0). */
const quotaSize = z
  .string(must("be a size such as 512MiB or 5GB, or unlimited"))
  .regex(
    new RegExp(`^unlimited$|${SIZE_PATTERN}`),
    must("be a size with B, KB, MB, GB, TB, KiB, MiB, GiB or TiB (512MiB, 5GB) or unlimited"),
  )
  .transform(parseSize)
  .refine(Number.isSafeInteger, exact("8191TiB", "bytes"))
  .meta({ description: "Size (B, KB, MB, GB, TB decimal; KiB, MiB, GiB, TiB binary) or unlimited" });

/** How long an idle compute waits before suspending: `never` (-1), or 1m..7d as Neon allows. */
const suspendAfter = durationText("never")
  .transform(parseDuration)
  .refine(
    (s) => s === SUSPEND_NEVER || (s >= MIN_SUSPEND_SECONDS && s <= MAX_SUSPEND_SECONDS),
    mustDuration("be from 1m to 7d, or never"),
  )
  .meta({ description: "Idle time before the compute suspends: 1m..7d, or never" });

/** How far back a restore can reach: Neon's `history_retention_seconds`, up to 30 days. */
const historyRetention = durationText()
  .transform(parseDuration)
  .refine((s) => s <= MAX_HISTORY_RETENTION_SECONDS, mustDuration("be at most 30d (Neon keeps history up to 30 days)"))
  .meta({ description: "History retention (history_retention_seconds), up to 30d; unset = the Neon plan's default" });

/** RFC 3339 date-time; the zone (`Z` or `+01:00`) is required so a restore time means one instant. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$/;

/** A restore point: an RFC 3339 time with zone, not in the future; normalized to UTC (`2026-11-30T10:00:00Z`). */
const restoreTime = z
  .string(must("be an RFC 3339 time such as 2026-11-30T10:00:00Z"))
  .superRefine((text, ctx) => {
    const match = RFC3339.exec(text);
    const problem =
      !match || Number.isNaN(Date.parse(text.replace(" ", "T")))
        ? `must be an RFC 3339 time such as 2026-11-30T10:00:00Z, got ${shown(text)}`
        : !match[8]
          ? `must carry a zone (Z or +01:00), got ${shown(text)}`
          : Date.parse(text.replace(" ", "T")) > Date.now()
            ? `must not be in the future, got ${shown(text)}`
            : undefined;
    if (problem) ctx.addIssue({ code: "custom", message: problem, input: text });
  })
  .transform((text) => {
    const at = Date.parse(text.replace(" ", "T"));
    return Number.isNaN(at) ? text : new Date(at).toISOString().replace(".000Z", "Z");
  })
  .meta({ description: "RFC 3339 time with zone, not in the future" });

/** The rules of a restore time, for `neon-fleet restore --to`; parses to the normalized UTC text. */
export const restoreTimeSchema = restoreTime;

/** A tenant's restore entry: a new token restores the default branch to `to` once; the entry stays as the record. */
const restoreSchema = strict({
  to: restoreTime,
  token: z
    .string(must("be a string naming this restore, e.g. incident-42"))
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, must("be letters, digits, ., _ or -, starting with a letter or digit"))
    .max(64, must("be at most 64 characters"))
    .meta({ description: "Names this restore; a new token restores again, the same token never does" }),
  keepBackups: z
    .number(must("be a whole number of backup branches to keep"))
    .int(must("be a whole number"))
    .min(0, must("be 0 or more"))
    .max(MAX_KEEP_BACKUPS, must(`be at most ${MAX_KEEP_BACKUPS} (Neon's branch limit per project)`))
    .optional()
    .meta({ description: `Backup branches (<tenant>-before-<token>) kept; default ${DEFAULT_KEEP_BACKUPS}` }),
}).meta({ description: "Restore the default branch to a point in time; later writes move to a backup branch" });

const compute = strict({
  min: cu.meta({ description: "Minimum compute units (autoscaling_limit_min_cu)" }),
  max: cu.meta({ description: "Maximum compute units (autoscaling_limit_max_cu)" }),
}).refine((c) => c.min <= c.max, {
  error: (issue) => {
    const c = issue.input as { min: number; max: number };
    return `must not exceed compute.max (${c.min} > ${c.max} CU)`;
  },
  path: ["min"],
});

const tierShape = {
  compute,
  suspendAfter,
  computeTime: quotaDuration.meta({
    description: "CU-hours of compute per month (settings.quota.compute_time_seconds)",
  }),
  activeTime: quotaDuration.meta({ description: "Active time per month (settings.quota.active_time_seconds)" }),
  storage: quotaSize.meta({ description: "Logical size limit (settings.quota.logical_size_bytes)" }),
  dataTransfer: quotaSize.meta({ description: "Data transfer per month (settings.quota.data_transfer_bytes)" }),
  writtenData: quotaSize.meta({ description: "Written data per month (settings.quota.written_data_bytes)" }),
  historyRetention: historyRetention.optional(),
  org: orgId.optional().meta({
    description: "Neon organization the tier's tenants live in (default fleet.org); a change transfers their projects",
  }),
};

/** Where a tier's tenants live: a project each, or a branch of a template project of their tier and region. */
const placement = z.enum(["project", "branch"], must("be project or branch")).meta({
  description: "project (default): one Neon project per tenant; branch: a branch of a template project per tenant",
});

/** How many tenant branches one template project holds before the next one is created. */
const branchesPerProject = z
  .number(must(`be a whole number of branches from 1 to ${MAX_BRANCHES_PER_PROJECT}`))
  .int(must("be a whole number"))
  .min(1, must("be at least 1"))
  .max(MAX_BRANCHES_PER_PROJECT, must(`be at most ${MAX_BRANCHES_PER_PROJECT} (Neon's branch limit per project)`))
  .meta({ description: `Branch tiers only: tenants per template project, default ${DEFAULT_BRANCHES_PER_PROJECT}` });

const sharedQuota = z.boolean(must("be true or false")).meta({
  description:
    "Branch tiers only: accept that computeTime, activeTime, writtenData and dataTransfer apply to a whole " +
    "template project",
});

/**
 * A branch tier's rules: `branchesPerProject` and `sharedQuota` only mean something there, and its project-wide
 * quota keys must be `unlimited` unless the tier accepts sharing them.
 */
function checkPlacement(
  tier: { placement?: string; branchesPerProject?: number; sharedQuota?: boolean } & Record<string, unknown>,
  ctx: z.RefinementCtx,
): void {
  const branch = tier.placement === "branch";
  for (const key of ["branchesPerProject", "sharedQuota"] as const) {
    if (!branch && tier[key] !== undefined) {
      const message = "is for branch tiers only: set placement: branch, or remove it";
      ctx.addIssue({ code: "custom", path: [key], input: tier[key], message });
    }
  }
  if (!branch || tier.sharedQuota === true) return;
  for (const key of PROJECT_WIDE_QUOTA_KEYS) {
    if (tier[key] === 0 || tier[key] === undefined) continue;
    ctx.addIssue({
      code: "custom",
      path: [key],
      input: tier[key],
      message:
        "must be unlimited on a branch tier: Neon applies it to the whole template project, so one tenant reaching " +
        "it would suspend every tenant of that project; write unlimited, or set sharedQuota: true to accept that",
    });
  }
}

/** One tier of tiers.yaml: every key required but `historyRetention`, `org` and the placement keys. */
export const tierSchema = strict({
  ...tierShape,
  placement: placement.optional(),
  branchesPerProject: branchesPerProject.optional(),
  sharedQuota: sharedQuota.optional(),
}).superRefine(checkPlacement);

/** A tenant's overrides: any tier key, compute bounds one by one. */
const overridesSchema = strict({
  compute: strict({ min: cu.optional(), max: cu.optional() }).optional(),
  suspendAfter: suspendAfter.optional(),
  computeTime: tierShape.computeTime.optional(),
  activeTime: tierShape.activeTime.optional(),
  storage: tierShape.storage.optional(),
  dataTransfer: tierShape.dataTransfer.optional(),
  writtenData: tierShape.writtenData.optional(),
  historyRetention: tierShape.historyRetention,
}).meta({ description: "Per-tenant values over the tier's" });

/** fleet.yaml. */
export const fleetFileSchema = strict({
  fleet: strict({
    projectNamePrefix: z
      .string(must("be a string such as tenant-"))
      .regex(/^[A-Za-z0-9._-]{0,32}$/, must("be at most 32 letters, digits, ., _ or -"))
      .meta({ description: "Neon project name = prefix + tenant id" }),
    org: orgId.optional().meta({ description: "Neon organization of tenants whose tier names none" }),
  }),
  orgs: z
    .record(
      orgId,
      strict({
        plan: z.enum(NEON_PLANS, must(`be a Neon plan: ${NEON_PLANS.join(", ")}`)).meta({
          description: "The organization's Neon plan; its published limits are checked by validate",
        }),
        limits: strict({
          projects: z
            .number(must("be a whole number of projects"))
            .int(must("be a whole number of projects"))
            .min(1, must("be at least 1"))
            .optional()
            .meta({ description: "Projects the organization may hold, over the plan's" }),
          maxComputeUnits: cu.optional().meta({ description: "Largest compute (CU), over the plan's" }),
          historyRetention: historyRetention
            .optional()
            .meta({ description: "Longest history retention, over the plan's" }),
        })
          .optional()
          .meta({ description: "Limits Neon set for this organization, over its plan's published ones" }),
      }),
      must("be a mapping of organization id to {plan, limits}"),
    )
    .optional()
    .meta({ description: "Neon organizations of the fleet and their plans" }),
  residency: z
    .record(
      residencyName,
      z.array(regionId, must("be a list of Neon regions")).min(1, must("list at least one region")),
      must("be a mapping of residency group to regions"),
    )
    .refine((groups) => Object.keys(groups).length > 0, must("define at least one residency group"))
    .meta({ description: "Residency group -> allowed Neon regions; the first is the default placement" }),
  defaults: strict({ residency: residencyName, tier: tierName, pgVersion }).meta({
    description: "Fleet-wide defaults for tenants",
  }),
  migrations: strict({
    canary: z
      .array(z.string(must("be a tenant id")), must("be a list of tenant ids"))
      .optional()
      .meta({ description: "Tenants migrated first (after the dev branches); the rest of the fleet waits for them" }),
    database: z
      .string(must("be a database name"))
      .min(1, must("not be empty"))
      .optional()
      .meta({ description: "Database migrated, default neondb" }),
    role: z
      .string(must("be a role name"))
      .min(1, must("not be empty"))
      .optional()
      .meta({ description: "Role the migrations run as (SET ROLE), default neondb_owner" }),
    statementTimeout: durationText()
      .transform(parseDuration)
      .refine((s) => s > 0, mustDuration("be at least 1s"))
      .optional()
      .meta({ description: "Longest a migration statement may run, default 5m" }),
  })
    .optional()
    .meta({ description: "How the SQL migrations of migrations/NNNN_name.sql reach every tenant's database" }),
}).meta({ title: "fleet.yaml" });

/** tiers.yaml. */
export const tiersFileSchema = strict({
  tiers: z
    .record(tierName, tierSchema, must("be a mapping of tier name to tier"))
    .refine((tiers) => Object.keys(tiers).length > 0, must("define at least one tier")),
}).meta({ title: "tiers.yaml" });

/** One tenant of a tenants/*.yaml file. */
export const tenantSchema = strict({
  id: z
    .string(must("be a string of lowercase letters, digits and -"))
    .regex(TENANT_ID_PATTERN, must("be 1-47 lowercase letters, digits or -, starting with a letter or digit"))
    .meta({ description: "The stable key of the tenant" }),
  tier: tierName.optional(),
  residency: residencyName.optional(),
  region: regionId.optional().meta({ description: "Must belong to the residency group; defaults to its first region" }),
  pgVersion: pgVersion.optional(),
  overrides: overridesSchema.optional(),
  adopt: z
    .string(must("be a Neon project id"))
    .regex(/^[a-z0-9][a-z0-9-]*$/, must("be a Neon project id such as withered-sun-12345678"))
    .optional()
    .meta({ description: "Take over this existing Neon project instead of creating one" }),
  onRemove: onRemove.optional(),
  restore: restoreSchema.optional(),
  formerIds: z
    .array(
      z
        .string(must("be a former tenant id"))
        .regex(TENANT_ID_PATTERN, must("be a former tenant id: 1-47 lowercase letters, digits or -")),
      must("be a list of former tenant ids"),
    )
    .optional()
    .meta({
      description:
        "Ids this tenant had before a rename: its resources take over the old ones and its project is renamed in " +
        "place (same project, data and connection strings), nothing is deleted or created",
    }),
});

/** tenants/*.yaml. */
export const tenantsFileSchema = strict({
  defaults: strict({
    tier: tierName.optional(),
    residency: residencyName.optional(),
    pgVersion: pgVersion.optional(),
    onRemove: onRemove.optional(),
  })
    .optional()
    .meta({ description: "Defaults for this file's tenants, over the fleet defaults" }),
  tenants: z.array(tenantSchema, must("be a list of tenants")),
}).meta({ title: "tenants/*.yaml" });

const branchName = z
  .string(must("be a branch name"))
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._/-]{0,255}$/,
    must("be letters, digits, ., _, / or -, starting with a letter or digit"),
  );

/** One ephemeral branch of dev.yaml. */
export const devBranchSchema = strict({
  name: branchName,
  parent: branchName.optional().meta({ description: "Parent branch, default main" }),
  ttl: durationText()
    .transform(parseDuration)
    .refine(
      (s) => s > 0 && s <= MAX_BRANCH_TTL_SECONDS,
      mustDuration("be from 1s to 30d (Neon expires branches at most 30 days ahead)"),
    )
    .meta({ description: "Time to live, at most 30d" }),
  resetToken: z.string(must("be a string")).min(1, must("not be empty")).optional().meta({
    description: "Changing it resets the branch to its parent's latest state",
  }),
  adopt: z
    .boolean(must("be true or false"))
    .optional()
    .meta({
      description:
        "true: take over a branch of this name that neon-fleet did not create (it gets the ttl's expiry, after which " +
        "Neon deletes it); without it such a branch is refused",
    }),
});

/** dev.yaml. */
export const devFileSchema = strict({
  project: strict({
    name: z
      .string(must("be a Neon project name"))
      .min(1, must("not be empty"))
      .max(MAX_PROJECT_NAME_LENGTH, must(`be at most ${MAX_PROJECT_NAME_LENGTH} characters`)),
    region: regionId,
    tier: tierName,
    pgVersion: pgVersion.optional(),
  }),
  branches: z.array(devBranchSchema, must("be a list of branches")).optional(),
}).meta({ title: "dev.yaml" });

/** fleet.yaml as parsed. */
export type FleetFile = z.output<typeof fleetFileSchema>;
/** tiers.yaml as parsed (quota values in Neon units). */
export type TiersFile = z.output<typeof tiersFileSchema>;
/** One tier as parsed. */
export type TierSpec = z.output<typeof tierSchema>;
/** A tenant's overrides as parsed. */
export type Overrides = z.output<typeof overridesSchema>;
/** One tenant as written. */
export type TenantSpec = z.output<typeof tenantSchema>;
/** A tenants/*.yaml file as parsed. */
export type TenantsFile = z.output<typeof tenantsFileSchema>;
/** dev.yaml as parsed. */
export type DevFile = z.output<typeof devFileSchema>;
