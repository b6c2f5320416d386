/**
 * Plans: the fleet as YAML (README "Plans"). {@link loadPlans} reads a plans directory, reports every problem of
 * every file at once as `FILE:LINE:COL: message` lines, and resolves a valid one into a {@link Fleet}.
 */
import { PlanErrors, type PlanError } from "../errors";
import { buildFleet } from "./build";
import { crossCheck } from "./crossCheck";
import { readPlanFiles } from "./files";
import { readMigrations } from "./migrations";
import { checkOrgs } from "./orgCheck";
import { parseDev, parseFleet, parseTenants, parseTiers } from "./parse";
import type { Fleet } from "./types";

export type { PlannedMigration } from "./migrations";
export { formatVersion, migrationDigest, migrationLabel, migrationText } from "./migrations";
export type { ResolvedMigrations } from "./types";
export type {
  EndpointSettings,
  Fleet,
  NeonQuota,
  ResolvedDev,
  ResolvedDevBranch,
  ResolvedTenant,
  ResolvedTier,
} from "./types";
export { formatDuration, formatSize, formatSuspend, parseDuration, parseSize } from "./units";
export { planJsonSchema } from "./jsonSchema";
export { fleetOrgIds } from "./build";
export { residencyOf } from "./residency";

/**
 * Loads, validates and resolves the plans in `dir`. Throws {@link PlanErrors} listing every problem (sorted by file
 * and position) when anything is invalid, so nothing downstream ever acts on a partly valid fleet.
 */
export async function loadPlans(dir: string): Promise<Fleet> {
  const files = await readPlanFiles(dir);
  const errors: PlanError[] = [...files.errors];
  const fleet = files.fleet && parseFleet(files.fleet, errors);
  const tiers = files.tiers && parseTiers(files.tiers, errors);
  const tenants = files.tenants.map((source) => parseTenants(source, errors));
  const dev = files.dev && parseDev(files.dev, errors);
  const migrations = await readMigrations(dir, errors);
  crossCheck({ fleetSource: files.fleet, fleet, tiers, tenants, dev }, errors);
  checkOrgs({ fleet, tiersSource: files.tiers, tiers, tenants }, errors);

  if (errors.length > 0 || !fleet?.valid || !tiers?.valid) throw new PlanErrors(sortErrors(errors));
  const tenantFiles = tenants.map((view) => ({ source: view.source, file: view.valid! }));
  const valid = { dir, fleet: fleet.valid, tiers: tiers.valid.tiers, tenants: tenantFiles, dev: dev?.valid };
  return buildFleet({ ...valid, migrations });
}

function sortErrors(errors: PlanError[]): PlanError[] {
  const unique = new Map(errors.map((e) => [e.message, e]));
  return [...unique.values()].sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col,
  );
}
