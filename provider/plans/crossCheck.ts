/**
 * The rules that span files: tiers and residency groups that must exist, regions inside their group, tenant ids
 * unique across every tenants file, `adopt:` ids unique (one Neon project per tenant), `formerIds` that name neither a
 * tenant of the plans nor another tenant's former id (a rename has one source), project names within Neon's
 * length, dev branches that form a tree under `main`. Each problem points at the node
 * that is wrong: a tenant's own key when it wrote one, else the defaults it inherited from (reported once).
 * A rule whose reference file is itself broken or missing is skipped rather than reported as a second problem.
 */
import path from "node:path";
import type { PlanError } from "../errors";
import { MAX_PROJECT_NAME_LENGTH } from "../neon/limits";
import type { DevView, FleetView, TenantsView, TiersView } from "./parse";
import type { PlanPath, PlanSource } from "./source";

/** Everything the cross-file rules look at; `undefined` where a file is missing or broken. */
export interface CrossCheckInput {
  fleetSource?: PlanSource;
  fleet?: FleetView;
  tiers?: TiersView;
  tenants: TenantsView[];
  dev?: DevView;
}

const list = (names: Iterable<string>) => [...names].join(", ");

/** A record's own entry: plan names such as `constructor` must not reach Object.prototype. */
const own = <T>(record: Record<string, T> | undefined, key: string): T | undefined =>
  record && Object.hasOwn(record, key) ? record[key] : undefined;

/** The references a file may make and how to report a problem. */
class Checker {
  /** Tenant id -> where it was first seen. */
  readonly seen = new Map<string, { source: PlanSource; index: number }>();
  /** Adopted project id -> the tenant that first named it. */
  readonly adopted = new Map<string, { source: PlanSource; index: number; tenantId: string }>();
  /** Former tenant id (`formerIds`) -> where it was first written, checked once every tenant id is known. */
  readonly formerIds = new Map<string, { source: PlanSource; index: number; at: number; tenantId: string }>();
  /** Template project name stems (`<prefix>template-<tier>-<region>-`) already checked. */
  readonly templateStems = new Set<string>();

  constructor(
    readonly input: CrossCheckInput,
    private readonly errors: PlanError[],
  ) {}

  report(source: PlanSource, path: PlanPath, problem: string | undefined, subject = ""): void {
    if (problem) this.errors.push(source.error(path, subject + problem));
  }

  /** Why `name` is not a tier, or undefined when it is (or tiers.yaml is unreadable). */
  unknownTier(name: string): string | undefined {
    const names = this.input.tiers?.names;
    return names && !names.has(name) ? `tier "${name}" is not in tiers.yaml; allowed: ${list(names)}` : undefined;
  }

  /** Why `name` is not a residency group, or undefined when it is (or fleet.yaml's residency is unreadable). */
  unknownGroup(name: string): string | undefined {
    const groups = this.input.fleet?.residency;
    return groups && !Object.hasOwn(groups, name)
      ? `residency "${name}" is not a group of fleet.yaml; allowed: ${list(Object.keys(groups))}`
      : undefined;
  }
}

/** Appends every cross-file problem to `errors`. */
export function crossCheck(input: CrossCheckInput, errors: PlanError[]): void {
  const checker = new Checker(input, errors);
  if (input.fleetSource) checkFleet(checker, input.fleetSource);
  for (const file of input.tenants) checkTenants(checker, file);
  checkFormerIds(checker);
  if (input.dev) checkDev(checker, input.dev);
  if (input.fleetSource) checkCanary(checker, input.fleetSource);
}

/**
 * A former id that is also a tenant of the plans would hand that tenant's resources to two registrations: the
 * rename would take over a live tenant. Skipped while a tenants file is broken (its ids are not all known).
 */
function checkFormerIds(c: Checker): void {
  if (c.input.tenants.some((file) => !file.valid)) return;
  for (const [former, { source, index, at, tenantId }] of c.formerIds) {
    const live = c.seen.get(former);
    if (!live) continue;
    const where = `tenants/${path.basename(live.source.file)} line ${live.source.itemLine("tenants", live.index)}`;
    const problem = `formerIds: ${former} is a tenant of the plans (${where}); a former id must be gone from the plans`;
    const fix = `${problem}: remove it from formerIds or rename that tenant`;
    c.report(source, ["tenants", index, "formerIds", at], fix, `tenant ${tenantId}: `);
  }
}

/** Canary tenants exist (a typo would migrate the whole fleet at once). Skipped while a tenants file is broken. */
function checkCanary(c: Checker, source: PlanSource): void {
  if (c.input.tenants.some((file) => !file.valid)) return;
  c.input.fleet?.migrations?.canary?.forEach((id, i) => {
    if (c.seen.has(id)) return;
    c.report(source, ["migrations", "canary", i], `migrations: canary ${id} is not a tenant of tenants/*.yaml`);
  });
}

function checkFleet(c: Checker, source: PlanSource): void {
  const defaults = c.input.fleet?.defaults;
  if (defaults) {
    c.report(source, ["defaults", "tier"], c.unknownTier(defaults.tier), "defaults: ");
    c.report(source, ["defaults", "residency"], c.unknownGroup(defaults.residency), "defaults: ");
  }
  for (const [group, regions] of Object.entries(c.input.fleet?.residency ?? {})) {
    regions.forEach((region, i) => {
      if (regions.indexOf(region) < i)
        c.report(source, ["residency", group, i], `residency ${group}: region ${region} is listed twice`);
    });
  }
}

function checkTenants(c: Checker, file: TenantsView): void {
  const { source, defaults } = file;
  const fleetDefaults = c.input.fleet?.defaults;
  if (defaults?.tier) c.report(source, ["defaults", "tier"], c.unknownTier(defaults.tier), "defaults: ");
  if (defaults?.residency)
    c.report(source, ["defaults", "residency"], c.unknownGroup(defaults.residency), "defaults: ");
  file.tenants.forEach((tenant, i) => {
    if (!tenant) return;
    const at = (...keys: (string | number)[]) => ["tenants", i, ...keys];
    const subject = `tenant ${tenant.id}: `;
    const first = c.seen.get(tenant.id);
    if (first) {
      const where = `tenants/${path.basename(first.source.file)} line ${first.source.itemLine("tenants", first.index)}`;
      c.report(
        source,
        at("id"),
        `duplicate id, also in ${where}; tenant ids are unique across all tenants files`,
        subject,
      );
    } else c.seen.set(tenant.id, { source, index: i });
    if (tenant.adopt) {
      const owner = c.adopted.get(tenant.adopt);
      if (owner) {
        const line = owner.source.itemLine("tenants", owner.index);
        const where = `tenants/${path.basename(owner.source.file)} line ${line}`;
        const problem =
          `adopt ${tenant.adopt} is also adopted by tenant ${owner.tenantId} (${where}); ` +
          "a Neon project belongs to one tenant";
        c.report(source, at("adopt"), `${problem}: remove one of the two adopt lines`, subject);
      } else c.adopted.set(tenant.adopt, { source, index: i, tenantId: tenant.id });
    }
    tenant.formerIds?.forEach((former, j) => {
      const first = c.formerIds.get(former);
      if (!first) {
        c.formerIds.set(former, { source, index: i, at: j, tenantId: tenant.id });
        return;
      }
      const where = `tenants/${path.basename(first.source.file)} line ${first.source.itemLine("tenants", first.index)}`;
      const problem =
        first.tenantId === tenant.id
          ? `formerIds: ${former} is listed twice`
          : `formerIds: ${former} is also a former id of tenant ${first.tenantId} (${where}); a rename has one new id`;
      c.report(source, at("formerIds", j), `${problem}: remove one of the two`, subject);
    });
    const prefix = c.input.fleet?.fleet?.projectNamePrefix;
    if (prefix !== undefined && prefix.length + tenant.id.length > MAX_PROJECT_NAME_LENGTH) {
      const length = prefix.length + tenant.id.length;
      const name = `${prefix}${tenant.id}`;
      const problem = `project name ${name} is ${length} characters; Neon allows at most ${MAX_PROJECT_NAME_LENGTH}`;
      c.report(source, at("id"), `${problem}: shorten the id or fleet.projectNamePrefix`, subject);
    }
    if (tenant.tier) c.report(source, at("tier"), c.unknownTier(tenant.tier), subject);
    if (tenant.residency) c.report(source, at("residency"), c.unknownGroup(tenant.residency), subject);

    const residency = tenant.residency ?? defaults?.residency ?? fleetDefaults?.residency ?? "";
    const allowed = own(c.input.fleet?.residency, residency);
    if (tenant.region && allowed && !allowed.includes(tenant.region)) {
      c.report(
        source,
        at("region"),
        `region ${tenant.region} is not in residency ${residency}; allowed: ${list(allowed)}`,
        subject,
      );
    }
    const tier = own(c.input.tiers?.tiers, tenant.tier ?? defaults?.tier ?? fleetDefaults?.tier ?? "");
    const compute = tenant.overrides?.compute;
    if (tier && compute) {
      const min = compute.min ?? tier.compute.min;
      const max = compute.max ?? tier.compute.max;
      if (min > max)
        c.report(
          source,
          at("overrides", "compute"),
          `overrides.compute gives min ${min} > max ${max} CU; set both so that min <= max`,
          subject,
        );
    }
    if (tier?.placement === "branch") {
      checkBranchTenant(c, source, tenant, at, subject, tenant.pgVersion ?? defaults?.pgVersion);
      const tierName = tenant.tier ?? defaults?.tier ?? fleetDefaults?.tier ?? "";
      const region = tenant.region ?? allowed?.[0];
      if (prefix !== undefined && region !== undefined) {
        checkTemplateName(c, source, at(), `${prefix}template-${tierName}-${region}-`);
      }
    }
  });
}

/** Digits a template project's number may take: 9,999 template projects of one tier and region. */
const TEMPLATE_NUMBER_DIGITS = 4;

/** A series whose template project names would pass Neon's limit is reported once, at its first tenant. */
function checkTemplateName(c: Checker, source: PlanSource, at: PlanPath, stem: string): void {
  if (c.templateStems.has(stem)) return;
  c.templateStems.add(stem);
  const length = stem.length + TEMPLATE_NUMBER_DIGITS;
  if (length <= MAX_PROJECT_NAME_LENGTH) return;
  const problem = `template project names ${stem}<n> reach ${length} characters; Neon allows at most ${MAX_PROJECT_NAME_LENGTH}`;
  c.report(source, at, `${problem}: shorten the tier name or fleet.projectNamePrefix`);
}

/** Quota keys of `overrides`: Neon sets them on a project, which a branch tenant shares with other tenants. */
const QUOTA_OVERRIDES = [
  "computeTime",
  "activeTime",
  "storage",
  "dataTransfer",
  "writtenData",
  "historyRetention",
] as const;

/**
 * A tenant of a branch tier lives in a template project it shares: what only a project of its own could give is
 * refused (adopting a project, a point-in-time restore, quota overrides, another Postgres version than the
 * template's, which is the fleet default).
 */
function checkBranchTenant(
  c: Checker,
  source: PlanSource,
  tenant: NonNullable<TenantsView["tenants"][number]>,
  at: (...keys: string[]) => PlanPath,
  subject: string,
  filePgVersion: number | undefined,
): void {
  const why = "on a branch tier the tenant is a branch of a shared template project";
  if (tenant.adopt) {
    const problem = `adopt takes a project; ${why}, taken over by its branch name instead: remove adopt`;
    c.report(source, at("adopt"), problem, subject);
  }
  if (tenant.restore) {
    c.report(source, at("restore"), `restore is for tenants with a project of their own; ${why}`, subject);
  }
  for (const key of QUOTA_OVERRIDES) {
    if (tenant.overrides?.[key] !== undefined) {
      const problem = `overrides.${key} would change the template project's quota for every tenant in it; ${why}`;
      c.report(source, at("overrides", key), problem, subject);
    }
  }
  const fleetPgVersion = c.input.fleet?.defaults?.pgVersion;
  const pgVersion = tenant.pgVersion ?? filePgVersion;
  if (pgVersion !== undefined && fleetPgVersion !== undefined && pgVersion !== fleetPgVersion) {
    const key = tenant.pgVersion !== undefined ? at("pgVersion") : at();
    const problem = `pgVersion ${pgVersion} differs from the template projects' (the fleet default, ${fleetPgVersion})`;
    c.report(source, key, `${problem}; ${why}`, subject);
  }
}

/**
 * Dev: the project's tier exists and its name is no tenant's; branch names are unique and not `main` (Neon does
 * not expire the default branch); parents are main or another branch of dev.yaml, without cycles.
 */
function checkDev(c: Checker, dev: DevView): void {
  const { source, project } = dev;
  if (project) {
    const subject = `project ${project.name}: `;
    c.report(source, ["project", "tier"], c.unknownTier(project.tier), subject);
    const prefix = c.input.fleet?.fleet?.projectNamePrefix;
    const tenantId =
      prefix !== undefined && project.name.startsWith(prefix) ? project.name.slice(prefix.length) : undefined;
    if (tenantId !== undefined && c.seen.has(tenantId)) {
      c.report(
        source,
        ["project", "name"],
        `is also the project name of tenant ${tenantId}; give the dev project a name outside the fleet's prefix`,
        subject,
      );
    }
  }
  const parents = new Map<string, string>();
  dev.branches.forEach((branch, i) => {
    if (!branch) return;
    if (branch.name === "main")
      c.report(
        source,
        ["branches", i, "name"],
        "branch main: is the dev project's default branch and cannot expire; pick another name",
      );
    else if (parents.has(branch.name))
      c.report(source, ["branches", i, "name"], `branch ${branch.name}: duplicate name; branch names are unique`);
    else parents.set(branch.name, branch.parent ?? "main");
  });
  dev.branches.forEach((branch, i) => {
    if (!branch?.parent || branch.parent === "main" || branch.name === "main") return;
    const subject = `branch ${branch.name}: `;
    if (!parents.has(branch.parent)) {
      const allowed = ["main", ...[...parents.keys()].filter((n) => n !== branch.name)];
      c.report(
        source,
        ["branches", i, "parent"],
        `parent ${branch.parent} is not main nor a branch of dev.yaml; allowed: ${list(allowed)}`,
        subject,
      );
      return;
    }
    const chain = new Set([branch.name]);
    for (let at = branch.parent; at !== "main" && parents.has(at); at = parents.get(at)!) {
      if (chain.has(at)) {
        c.report(
          source,
          ["branches", i, "parent"],
          `parents form a cycle (${[...chain].join(" -> ")} -> ${at}); one of them must branch from main`,
          subject,
        );
        return;
      }
      chain.add(at);
    }
  });
}
