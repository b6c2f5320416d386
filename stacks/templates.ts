import type { Fleet, ResolvedTenant } from "../provider/plans";

/**
 * The template projects of the branch tiers: one series per (tier, region) among the tenants a stack manages,
 * `ceil(tenants / branchesPerProject)` projects each, named `<prefix>template-<tier>-<region>-<n>` (n from 1).
 *
 * Which tenant lives in which template is not decided here: the program cannot read state, and a split computed from
 * the plans alone (e.g. tenants in id order, `branchesPerProject` a project) would move tenants whenever another one
 * is added or removed before them. So the program only decides how many template projects exist and their order; a
 * new tenant's create takes the first with room, and the tenant's state keeps that template for good.
 */

/** One template project of a series. */
export interface TemplateProject {
  /** Resource name `template/<tier>/<region>/<n>` (tenant ids cannot hold `/`, so no tenant collides). */
  resourceName: string;
  /** Neon project name `<prefix>template-<tier>-<region>-<n>`. */
  projectName: string;
}

/** The template projects of one tier in one region, in fill order. */
export interface TemplateSeries {
  /** `<tier>/<region>`. */
  key: string;
  tier: string;
  region: string;
  /** The residency group of the series' first tenant. */
  residency: string;
  tenants: number;
  projects: TemplateProject[];
}

/** The series the branch-tier tenants among `tenants` need, in order of their first tenant. */
export function templateSeries(fleet: Fleet, tenants: readonly ResolvedTenant[]): TemplateSeries[] {
  const series = new Map<string, TemplateSeries>();
  for (const tenant of tenants) {
    if (tenant.placement !== "branch") continue;
    const key = `${tenant.tier}/${tenant.region}`;
    const found = series.get(key);
    if (found) found.tenants++;
    else {
      const { tier, region, residency } = tenant;
      series.set(key, { key, tier, region, residency, tenants: 1, projects: [] });
    }
  }
  for (const s of series.values()) {
    const perProject = fleet.tiers[s.tier]?.branchesPerProject ?? 1;
    const count = Math.ceil(s.tenants / perProject);
    const prefix = fleet.projectNamePrefix;
    s.projects = Array.from({ length: count }, (_, i) => templateProject(prefix, s.tier, s.region, i + 1));
  }
  return [...series.values()];
}

/** The names of template project `n` of a series. */
export function templateProject(prefix: string, tier: string, region: string, n: number): TemplateProject {
  return { resourceName: `template/${tier}/${region}/${n}`, projectName: `${prefix}template-${tier}-${region}-${n}` };
}
