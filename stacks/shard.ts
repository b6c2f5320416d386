import type { Fleet, ResolvedTenant } from "../provider/plans";
import { UsageError } from "../provider/errors";

/**
 * Which part of the fleet a stack manages. `neon-fleet:shard` is a comma list of residency groups and/or
 * regions; a tenant belongs to the shard when its residency group or its region is listed. Unset = all.
 */
export interface Shard {
  /** The listed groups and regions, or undefined for the whole fleet. */
  readonly names?: ReadonlySet<string>;
}

/** Parses the shard config; an unknown name is an error that lists the valid ones. */
export function parseShard(spec: string | undefined, fleet: Fleet): Shard {
  const names = (spec ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (names.length === 0) return {};
  const known = new Set([...Object.keys(fleet.residency), ...fleet.regions, ...Object.values(fleet.residency).flat()]);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `neon-fleet:shard names ${unknown.join(", ")}, which is neither a residency group nor a region of the plans; use any of: ${[...known].sort().join(", ")}`,
    );
  }
  return { names: new Set(names) };
}

/** True when the tenant belongs to the shard. */
export function inShard(shard: Shard, tenant: Pick<ResolvedTenant, "residency" | "region">): boolean {
  return !shard.names || shard.names.has(tenant.residency) || shard.names.has(tenant.region);
}

/** The residency group holding `region` (the dev project has a region but no group of its own). */
export function residencyOf(fleet: Fleet, region: string): string | undefined {
  return Object.entries(fleet.residency).find(([, regions]) => regions.includes(region))?.[0];
}
