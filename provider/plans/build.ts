/**
 * Resolution of a valid plans directory into a {@link Fleet}: defaults applied (fleet < file < tenant), residency
 * to region, tier + overrides to the Neon quota object and default endpoint settings.
 */
import path from "node:path";
import type { DevFile, FleetFile, Overrides, TenantsFile, TierSpec } from "./schema";
import type { PlannedMigration } from "./migrations";
import type { PlanSource } from "./source";
import { backupBranchName } from "./restore";
import { orgLimits } from "../neon/limits";
import { DEFAULT_BRANCHES_PER_PROJECT, DEFAULT_KEEP_BACKUPS } from "./schema";
import type { EndpointSettings, Fleet, NeonQuota, ResolvedDev, ResolvedTenant, ResolvedTier } from "./types";

/** Every plan file, each valid on its own and together. */
export interface ValidPlans {
  dir: string;
  fleet: FleetFile;
  tiers: Record<string, TierSpec>;
  tenants: { source: PlanSource; file: TenantsFile }[];
  dev?: DevFile;
  migrations: PlannedMigration[];
}

/** Neon's default database and its owner role, which every new project has. */
const DEFAULT_MIGRATION_DATABASE = "neondb";
const DEFAULT_MIGRATION_ROLE = "neondb_owner";
/** A migration statement running longer than this is cancelled (and its migration rolled back). */
const DEFAULT_STATEMENT_TIMEOUT_SECONDS = 5 * 60;

function quotaOf(tier: TierSpec): NeonQuota {
  return {
    active_time_seconds: tier.activeTime,
    compute_time_seconds: tier.computeTime,
    written_data_bytes: tier.writtenData,
    data_transfer_bytes: tier.dataTransfer,
    logical_size_bytes: tier.storage,
  };
}

function settingsOf(tier: TierSpec): EndpointSettings {
  return {
    autoscaling_limit_min_cu: tier.compute.min,
    autoscaling_limit_max_cu: tier.compute.max,
    suspend_timeout_seconds: tier.suspendAfter,
  };
}

/** `historyRetentionSeconds` when the tier sets it; nothing otherwise, so Neon's plan default applies. */
function retentionOf(tier: TierSpec): { historyRetentionSeconds?: number } {
  return tier.historyRetention === undefined ? {} : { historyRetentionSeconds: tier.historyRetention };
}

/** The tier with a tenant's overrides over it; compute bounds override one by one. */
function withOverrides(tier: TierSpec, overrides: Overrides): TierSpec {
  const { compute, ...rest } = overrides;
  const merged: TierSpec = { ...tier, compute: { ...tier.compute } };
  for (const [key, value] of Object.entries(rest))
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  if (compute?.min !== undefined) merged.compute.min = compute.min;
  if (compute?.max !== undefined) merged.compute.max = compute.max;
  return merged;
}

/** Resolves valid plans. Every tenant gets its own quota and settings objects, so consumers may change them freely. */
export function buildFleet(plans: ValidPlans): Fleet {
  const { fleet: fleetFile, tiers: tierSpecs } = plans;
  const { projectNamePrefix, org } = fleetFile.fleet;
  const fleetDefaults = fleetFile.defaults;
  const tiers: Record<string, ResolvedTier> = {};
  for (const [name, spec] of Object.entries(tierSpecs)) {
    const placement = spec.placement ?? "project";
    const branches =
      placement === "branch" ? { branchesPerProject: spec.branchesPerProject ?? DEFAULT_BRANCHES_PER_PROJECT } : {};
    const settings = { quota: quotaOf(spec), endpointSettings: settingsOf(spec), ...retentionOf(spec) };
    const tierOrg = spec.org ?? org;
    tiers[name] = { name, ...settings, placement, ...branches, ...(tierOrg === undefined ? {} : { org: tierOrg }) };
  }

  const tenants: ResolvedTenant[] = [];
  for (const { source, file } of plans.tenants) {
    const fileDefaults = file.defaults ?? {};
    file.tenants.forEach((spec, i) => {
      const tier = spec.tier ?? fileDefaults.tier ?? fleetDefaults.tier;
      const residency = spec.residency ?? fileDefaults.residency ?? fleetDefaults.residency;
      const hasOverrides = spec.overrides !== undefined && Object.keys(spec.overrides).length > 0;
      const effective = hasOverrides ? withOverrides(tierSpecs[tier]!, spec.overrides!) : undefined;
      tenants.push({
        id: spec.id,
        projectName: projectNamePrefix + spec.id,
        tier,
        residency,
        region: spec.region ?? fleetFile.residency[residency]![0]!,
        pgVersion: spec.pgVersion ?? fileDefaults.pgVersion ?? fleetDefaults.pgVersion,
        ...(tiers[tier]!.org === undefined ? {} : { org: tiers[tier]!.org }),
        ...(spec.adopt === undefined ? {} : { adopt: spec.adopt }),
        ...(spec.formerIds === undefined || spec.formerIds.length === 0 ? {} : { formerIds: spec.formerIds }),
        onRemove: spec.onRemove ?? fileDefaults.onRemove ?? "retain",
        quota: effective ? quotaOf(effective) : { ...tiers[tier]!.quota },
        endpointSettings: effective ? settingsOf(effective) : { ...tiers[tier]!.endpointSettings },
        ...retentionOf(effective ?? tierSpecs[tier]!),
        ...(spec.restore === undefined
          ? {}
          : {
              restore: {
                to: spec.restore.to,
                token: spec.restore.token,
                keepBackups: spec.restore.keepBackups ?? DEFAULT_KEEP_BACKUPS,
                backupBranch: backupBranchName(spec.id, spec.restore.token),
              },
            }),
        placement: tiers[tier]!.placement,
        hasOverrides,
        source: { file: source.file, line: source.itemLine("tenants", i) },
      });
    });
  }

  return {
    dir: path.resolve(plans.dir),
    projectNamePrefix,
    ...(org === undefined ? {} : { org }),
    orgs: Object.fromEntries(
      Object.entries(fleetFile.orgs ?? {}).map(([id, entry]) => [
        id,
        { plan: entry.plan, limits: orgLimits(entry.plan, entry.limits) },
      ]),
    ),
    residency: fleetFile.residency,
    defaults: { ...fleetDefaults },
    tiers,
    tenants,
    ...(plans.dev ? { dev: resolveDev(plans.dev, tiers, fleetDefaults.pgVersion) } : {}),
    regions: [...new Set(Object.values(fleetFile.residency).flat())],
    migrations: {
      dir: path.resolve(plans.dir),
      planned: plans.migrations,
      canary: fleetFile.migrations?.canary ?? [],
      database: fleetFile.migrations?.database ?? DEFAULT_MIGRATION_DATABASE,
      role: fleetFile.migrations?.role ?? DEFAULT_MIGRATION_ROLE,
      statementTimeoutSeconds: fleetFile.migrations?.statementTimeout ?? DEFAULT_STATEMENT_TIMEOUT_SECONDS,
    },
  };
}

function resolveDev(dev: DevFile, tiers: Record<string, ResolvedTier>, pgVersion: number): ResolvedDev {
  const { name, region, tier } = dev.project;
  const { historyRetentionSeconds } = tiers[tier]!;
  return {
    projectName: name,
    region,
    tier,
    pgVersion: dev.project.pgVersion ?? pgVersion,
    quota: { ...tiers[tier]!.quota },
    endpointSettings: { ...tiers[tier]!.endpointSettings },
    ...(historyRetentionSeconds === undefined ? {} : { historyRetentionSeconds }),
    branches: (dev.branches ?? []).map((b) => ({
      name: b.name,
      parent: b.parent ?? "main",
      ttlSeconds: b.ttl,
      ...(b.resetToken === undefined ? {} : { resetToken: b.resetToken }),
      ...(b.adopt === true ? { adopt: true } : {}),
    })),
  };
}

/**
 * Every Neon organization the plans name (fleet.org, the tiers' `org`, `orgs` keys), in that order: the
 * organizations `import` and `usage` read. Empty when the plans name none (the API key's own projects).
 */
export function fleetOrgIds(fleet: Fleet): string[] {
  const ids = [fleet.org, ...Object.values(fleet.tiers).map((t) => t.org), ...Object.keys(fleet.orgs)];
  return [...new Set(ids.filter((id): id is string => id !== undefined))];
}
