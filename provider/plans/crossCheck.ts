/**
 * The rules that span files: tiers and residency groups that must exist, regions inside their group, tenant ids
 * unique across every tenants file, dev branches that form a tree under `main`. Each problem points at the node
 * that is wrong: a tenant's own key when it wrote one, else the defaults it inherited from (reported once).
 * A rule whose reference file is itself broken or missing is skipped rather than reported as a second problem.
 */
import path from "path";
import type { PlanError } from "../errors";
import type { DevView, FleetView, TenantsView, TiersView } from "./parse";
import type { PlanSource } from "./source";

/** Everything the cross-file rules look at; `undefined` where a file is missing or broken. */
export interface CrossCheckInput {
  fleetSource?: PlanSource;
  fleet?: FleetView;
  tiers?: TiersView;
  tenants: TenantsView[];
  dev?: DevView;
}

const list = (names: Iterable<string>) => [...names].join(", ");

/** Appends every cross-file problem to `errors`. */
export function crossCheck(input: CrossCheckInput, errors: PlanError[]): void {
  const tierNames = input.tiers?.names;
  const groups = input.fleet?.residency;
  const unknownTier = (name: string) => (tierNames && !tierNames.has(name) ? `tier "${name}" is not in tiers.yaml; allowed: ${list(tierNames)}` : undefined);
  const unknownGroup = (name: string) => (groups && !(name in groups) ? `residency "${name}" is not a group of fleet.yaml; allowed: ${list(Object.keys(groups))}` : undefined);
  const report = (source: PlanSource, path: readonly PropertyKey[], problem: string | undefined, subject = "") => {
    if (problem) errors.push(source.error(path, subject + problem));
  };

  const fleet = input.fleetSource;
  if (fleet) {
    const defaults = input.fleet?.defaults;
    if (defaults) {
      report(fleet, ["defaults", "tier"], unknownTier(defaults.tier), "defaults: ");
      report(fleet, ["defaults", "residency"], unknownGroup(defaults.residency), "defaults: ");
    }
    for (const [group, regions] of Object.entries(groups ?? {})) {
      regions.forEach((region, i) => report(fleet, ["residency", group, i], regions.indexOf(region) < i ? `residency ${group}: region ${region} is listed twice` : undefined));
    }
  }

  const seen = new Map<string, { source: PlanSource; index: number }>();
  for (const file of input.tenants) {
    const { source, defaults } = file;
    if (defaults?.tier) report(source, ["defaults", "tier"], unknownTier(defaults.tier), "defaults: ");
    if (defaults?.residency) report(source, ["defaults", "residency"], unknownGroup(defaults.residency), "defaults: ");
    file.tenants.forEach((tenant, i) => {
      if (!tenant) return;
      const at = (key: string) => ["tenants", i, key];
      const first = seen.get(tenant.id);
      if (first) {
        const where = `tenants/${path.basename(first.source.file)} line ${first.source.itemLine("tenants", first.index)}`;
        report(source, at("id"), `tenant ${tenant.id}: duplicate id, also in ${where}; tenant ids are unique across all tenants files`);
      } else seen.set(tenant.id, { source, index: i });
      if (tenant.tier) report(source, at("tier"), unknownTier(tenant.tier), `tenant ${tenant.id}: `);
      if (tenant.residency) report(source, at("residency"), unknownGroup(tenant.residency), `tenant ${tenant.id}: `);
      const residency = tenant.residency ?? defaults?.residency ?? input.fleet?.defaults?.residency;
      const allowed = residency === undefined ? undefined : groups?.[residency];
      if (tenant.region && allowed && !allowed.includes(tenant.region)) {
        report(source, at("region"), `tenant ${tenant.id}: region ${tenant.region} is not in residency ${residency}; allowed: ${list(allowed)}`);
      }
      const tier = input.tiers?.tiers[tenant.tier ?? defaults?.tier ?? input.fleet?.defaults?.tier ?? ""];
      const compute = tenant.overrides?.compute;
      if (tier && compute) {
        const min = compute.min ?? tier.compute.min;
        const max = compute.max ?? tier.compute.max;
        if (min > max) report(source, [...at("overrides"), "compute"], `tenant ${tenant.id}: overrides.compute gives min ${min} > max ${max} CU; set both so that min <= max`);
      }
    });
  }

  if (input.dev) {
    checkDev(input.dev, unknownTier, errors);
    const name = input.dev.project?.name;
    const prefix = input.fleet?.fleet?.projectNamePrefix;
    if (name !== undefined && prefix !== undefined && name.startsWith(prefix) && seen.has(name.slice(prefix.length))) {
      report(input.dev.source, ["project", "name"], `project ${name}: is also the project name of tenant ${name.slice(prefix.length)}; give the dev project a name outside the fleet's prefix`);
    }
  }
}

/** Dev branches: names unique and not `main` (Neon does not expire the default branch), parents form a tree under main. */
function checkDev(dev: DevView, unknownTier: (name: string) => string | undefined, errors: PlanError[]): void {
  const { source, project } = dev;
  if (project) {
    const problem = unknownTier(project.tier);
    if (problem) errors.push(source.error(["project", "tier"], `project ${project.name}: ${problem}`));
  }
  const parents = new Map<string, string>();
  dev.branches.forEach((branch, i) => {
    if (!branch) return;
    if (branch.name === "main") errors.push(source.error(["branches", i, "name"], "branch main: is the dev project's default branch and cannot expire; pick another name"));
    else if (parents.has(branch.name)) errors.push(source.error(["branches", i, "name"], `branch ${branch.name}: duplicate name; branch names are unique`));
    else parents.set(branch.name, branch.parent ?? "main");
  });
  dev.branches.forEach((branch, i) => {
    if (!branch?.parent || branch.parent === "main" || branch.name === "main") return;
    if (!parents.has(branch.parent)) {
      errors.push(source.error(["branches", i, "parent"], `branch ${branch.name}: parent ${branch.parent} is not main nor a branch of dev.yaml; allowed: ${list(["main", ...[...parents.keys()].filter((n) => n !== branch.name)])}`));
      return;
    }
    const chain = new Set([branch.name]);
    for (let at = branch.parent; at !== "main" && parents.has(at); at = parents.get(at)!) {
      if (chain.has(at)) {
        errors.push(source.error(["branches", i, "parent"], `branch ${branch.name}: parents form a cycle (${[...chain].join(" -> ")} -> ${at}); one of them must branch from main`));
        return;
      }
      chain.add(at);
    }
  });
}
