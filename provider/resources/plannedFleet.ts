import * as fs from "node:fs";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import type * as plans from "../plans";
import type * as shards from "../plans/shard";
import { FleetError } from "../errors";
import { stackValue } from "./stackConnection";

/**
 * What the plans still hold, as a delete sees it. A resource the program of this run did not register is deleted by
 * the engine in two very different cases: the tenant left the plans (its `onRemove` applies), or it is still in the
 * plans and only left this stack (a `neon-fleet:shard`/`bucket` change, a residency or region edit that puts it in
 * another stack's shard, or `pulumi destroy` of a retired stack): then another stack manages it now or will, and the
 * project must be kept whatever `onRemove` says. The delete tells them apart by reading the plans itself, once per
 * provider process, from `neon-fleet:plans` (relative to the folder holding Pulumi.yaml, default `./plans`) of the
 * config the provider was configured with.
 *
 * Organization transfers read the same plans ({@link managedTenants}): the tenants this stack registers (by its
 * `neon-fleet:shard` and `neon-fleet:bucket`, decided as the program decides) and the organization each belongs in.
 */

/** Names the plans hold: tenant ids, the dev project's name and its branch names. */
export interface PlannedNames {
  readonly tenants: ReadonlySet<string>;
  /** The region each tenant of the plans is placed in (where a tenant that left this stack went). */
  readonly tenantRegions: ReadonlyMap<string, string>;
  /** `dev/<project name>` when dev.yaml exists (the resource name of the dev project). */
  readonly devProject?: string;
  readonly devBranches: ReadonlySet<string>;
}

let plansDir: string | undefined;
let loaded: Promise<PlannedNames> | undefined;
let fleetRead: Promise<plans.Fleet> | undefined;
let shardSpec: { shard?: string; bucket?: string } = {};

/** Notes `neon-fleet:plans`, `neon-fleet:shard` and `neon-fleet:bucket`; called by every resource's `configure`. */
export function configurePlans(req: pulumi.dynamic.ConfigureRequest): void {
  shardSpec = { shard: stackValue(req, "neon-fleet:shard"), bucket: stackValue(req, "neon-fleet:bucket") };
  const dir = path.resolve(projectRoot(), stackValue(req, "neon-fleet:plans") ?? "./plans");
  if (dir === plansDir) return;
  plansDir = dir;
  loaded = undefined;
  fleetRead = undefined;
}

/**
 * The tenants of the plans this stack manages, as the program resolves them (same plans, same shard rule).
 * @throws when the plans cannot be read or the shard settings are invalid (the program then failed too)
 */
export async function managedTenants(): Promise<readonly plans.ResolvedTenant[]> {
  const fleet = await readFleet();
  const { managesTenant, parseShard } = require("../plans/shard") as typeof shards;
  const shard = parseShard(shardSpec.shard, shardSpec.bucket, fleet);
  return fleet.tenants.filter((t) => managesTenant(shard, t));
}

/** The plans, loaded once per process (lazily: yaml and zod are only needed by deletes and transfers). */
function readFleet(): Promise<plans.Fleet> {
  const { loadPlans } = require("../plans") as typeof plans;
  fleetRead ??= loadPlans(plansDir ?? path.resolve(projectRoot(), "plans"));
  return fleetRead;
}

/**
 * The names the plans hold, read once per process (a fleet of thousands deletes in one run).
 * @throws FleetError when the plans cannot be read or are invalid: no delete may guess
 */
export function plannedNames(): Promise<PlannedNames> {
  loaded ??= readPlanned(plansDir ?? path.resolve(projectRoot(), "plans"));
  return loaded;
}

async function readPlanned(dir: string): Promise<PlannedNames> {
  try {
    const fleet = await readFleet();
    return {
      tenants: new Set(fleet.tenants.map((t) => t.id)),
      tenantRegions: new Map(fleet.tenants.map((t) => [t.id, t.region])),
      ...(fleet.dev ? { devProject: `dev/${fleet.dev.projectName}` } : {}),
      devBranches: new Set(fleet.dev?.branches.map((b) => b.name) ?? []),
    };
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split("\n")[0];
    throw new FleetError(
      `cannot read the plans in ${dir} to tell a removed tenant from one that moved to another stack (${first}); ` +
        "nothing was deleted: fix the plans (`neon-fleet validate`) or `neon-fleet:plans`, then run again",
    );
  }
}

/** True when the plans still hold the TenantProject named `name` (a tenant id, or `dev/<name>` for the dev project). */
export async function tenantStillPlanned(name: string): Promise<boolean> {
  const planned = await plannedNames();
  return planned.tenants.has(name) || planned.devProject === name;
}

/** True when dev.yaml still lists a branch named `name`. */
export async function devBranchStillPlanned(name: string): Promise<boolean> {
  return (await plannedNames()).devBranches.has(name);
}

/** The folder holding Pulumi.yaml: `NEON_FLEET_ROOT`, else the first one up from the working directory. */
function projectRoot(): string {
  const start = path.resolve(process.env.NEON_FLEET_ROOT ?? ".");
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir) return start;
  }
}
