/**
 * The resolved fleet: what the stack program, `summarize` and `usage` consume. Values are in Neon's units
 * (seconds, bytes; quota 0 = unlimited; suspend -1 = never, 0 = Neon's default).
 */
import type { EndpointSettings, NeonQuota } from "../resources/tierSettings";
import type { PlannedMigration } from "./migrations";
import type { NeonPlan, PlanLimits } from "../neon/limits";

// One definition: the zod schemas the resources validate with (a project's `settings.quota`, 0 = unlimited, and
// its `default_endpoint_settings`); the plans produce exactly what the resources accept.
export type { EndpointSettings, NeonQuota };

/** A tier of tiers.yaml in Neon units. */
export interface ResolvedTier {
  name: string;
  quota: NeonQuota;
  endpointSettings: EndpointSettings;
  /** `history_retention_seconds`; absent when the tier leaves it to the Neon plan's default. */
  historyRetentionSeconds?: number;
  /** Where the tier's tenants live: their own project, or a branch of a template project. */
  placement: Placement;
  /** Branch tiers: tenant branches per template project. */
  branchesPerProject?: number;
  /** The Neon organization its tenants live in: the tier's `org`, else `fleet.org`; absent = the key's own. */
  org?: string;
}

/** An organization of `fleet.yaml` `orgs`: its Neon plan and the limits that apply (plan's, with overrides). */
export interface ResolvedOrg {
  plan: NeonPlan;
  limits: PlanLimits;
}

/** `project`: one Neon project per tenant; `branch`: one branch of a template project of the tier and region. */
export type Placement = "project" | "branch";

/** A tenant's point-in-time restore as written, `to` normalized to UTC. */
export interface ResolvedRestore {
  /** RFC 3339 UTC, e.g. `2026-11-30T10:00:00Z`. */
  to: string;
  token: string;
  /** Backup branches kept, oldest deleted first. */
  keepBackups: number;
  /** Where writes after `to` are kept: `<tenant id>-before-<token>`, as Neon accepts branch names. */
  backupBranch: string;
}

/** A tenant with every default applied: fleet defaults < file defaults < the tenant's own keys. */
export interface ResolvedTenant {
  id: string;
  /** Fleet prefix + id: deterministic, so a project can be found again by name after an ambiguous create. */
  projectName: string;
  tier: string;
  residency: string;
  region: string;
  pgVersion: number;
  org?: string;
  adopt?: string;
  /** Ids the tenant had before a rename (`formerIds`): its resources carry aliases from those names. */
  formerIds?: string[];
  onRemove: "retain" | "delete";
  /** The tier's quota with the tenant's overrides applied. */
  quota: NeonQuota;
  endpointSettings: EndpointSettings;
  /** `history_retention_seconds` of the tier (or override); absent = the Neon plan's default, nothing sent. */
  historyRetentionSeconds?: number;
  restore?: ResolvedRestore;
  /** Its tier's placement. */
  placement: Placement;
  /** True when the tenant has `overrides` ("Custom" in a summary). */
  hasOverrides: boolean;
  /** Where the tenant is written: file relative to the current directory, 1-based line of its list item. */
  source: { file: string; line: number };
}

/** An ephemeral branch of the dev project. */
export interface ResolvedDevBranch {
  name: string;
  /** Parent branch name; `main` unless written. */
  parent: string;
  ttlSeconds: number;
  resetToken?: string;
  /** Take over a hand-made branch of this name (dev.yaml `adopt: true`). */
  adopt?: boolean;
}

/** The dev project of dev.yaml. */
export interface ResolvedDev {
  projectName: string;
  region: string;
  tier: string;
  pgVersion: number;
  quota: NeonQuota;
  endpointSettings: EndpointSettings;
  historyRetentionSeconds?: number;
  branches: ResolvedDevBranch[];
}

/** The fleet's schema migrations and how they roll out. */
export interface ResolvedMigrations {
  /** Absolute path of the plans directory (the files are under its `migrations/`). */
  dir: string;
  /** In version order, contiguous. Empty when the plans have no migrations. */
  planned: PlannedMigration[];
  /** Tenant ids migrated before the rest of the fleet. */
  canary: string[];
  database: string;
  role: string;
  statementTimeoutSeconds: number;
}

/** A whole plans directory, validated and resolved. */
export interface Fleet {
  /** Absolute path of the plans directory. */
  dir: string;
  projectNamePrefix: string;
  /** `fleet.org`: the organization of tenants whose tier names none. */
  org?: string;
  /** `fleet.yaml` `orgs`, by organization id (empty when not written). */
  orgs: Record<string, ResolvedOrg>;
  /** Residency group -> allowed regions, first = default placement. */
  residency: Record<string, string[]>;
  defaults: { residency: string; tier: string; pgVersion: number };
  tiers: Record<string, ResolvedTier>;
  /** In file order (tenants/*.yaml sorted by name), then list order. */
  tenants: ResolvedTenant[];
  dev?: ResolvedDev;
  /** Distinct regions across residency groups, in order of first mention. */
  regions: string[];
  migrations: ResolvedMigrations;
}
