import type { Fleet, NeonQuota, ResolvedTenant } from "../../provider/plans";
import { METRICS, type MetricName, type Usage } from "./metrics";

/** At or over this share of any limit, a tenant is listed first. */
export const NEAR_LIMIT_PERCENT = 80;

/** One figure of one tenant against its limit. */
export interface MetricUse {
  /** Consumed this month; null when Neon did not report it. */
  used: number | null;
  /** The tenant's limit (tier with overrides); 0 = unlimited. */
  limit: number;
  /** used / limit in percent, one decimal; null when unlimited or unmeasured. */
  percent: number | null;
}

/** A tenant's line of the report. */
export interface TenantUsage {
  tenant: string;
  tier: string;
  /** The tenant has overrides over its tier. */
  custom: boolean;
  /** Its Neon project, or null when the account has none for it yet. */
  projectId: string | null;
  metrics: Record<MetricName, MetricUse>;
  /** The highest percent of any metric; null when nothing is limited or measured. */
  peakPercent: number | null;
  /** For a tenant over a limit: the first later tier in tiers.yaml whose quota fits this month's usage. */
  suggestedTier: string | null;
}

/** Every tenant against its quota, those at or over 80% of any limit first (highest first). */
export function compareWithQuotas(
  fleet: Fleet,
  projectOf: Map<string, string>,
  usageOf: Map<string, Usage>,
): TenantUsage[] {
  const lines = fleet.tenants.map((tenant) => tenantLine(fleet, tenant, projectOf.get(tenant.id) ?? null, usageOf));
  return lines.sort(
    (a, b) =>
      Number(b.projectId !== null) - Number(a.projectId !== null) ||
      (b.peakPercent ?? -1) - (a.peakPercent ?? -1) ||
      a.tenant.localeCompare(b.tenant),
  );
}

function tenantLine(
  fleet: Fleet,
  tenant: ResolvedTenant,
  projectId: string | null,
  usageOf: Map<string, Usage>,
): TenantUsage {
  const usage = projectId === null ? undefined : usageOf.get(projectId);
  const metrics = Object.fromEntries(
    METRICS.map((m) => {
      const used = usage?.[m.quota] ?? null;
      const limit = tenant.quota[m.quota];
      const percent = used === null || limit === 0 ? null : Math.round((used / limit) * 1000) / 10;
      return [m.name, { used, limit, percent }];
    }),
  ) as Record<MetricName, MetricUse>;
  const percents = Object.values(metrics).flatMap((m) => (m.percent === null ? [] : [m.percent]));
  const peakPercent = percents.length > 0 ? Math.max(...percents) : null;
  return {
    tenant: tenant.id,
    tier: tenant.tier,
    custom: tenant.hasOverrides,
    projectId,
    metrics,
    peakPercent,
    suggestedTier:
      peakPercent !== null && peakPercent >= 100 && usage ? nextFittingTier(fleet, tenant.tier, usage) : null,
  };
}

/** The first tier after `current` (in tiers.yaml order) under whose quota this month's usage stays. */
function nextFittingTier(fleet: Fleet, current: string, usage: Usage): string | null {
  const names = Object.keys(fleet.tiers);
  const fits = (quota: NeonQuota) =>
    METRICS.every((m) => quota[m.quota] === 0 || (usage[m.quota] ?? 0) < quota[m.quota]);
  return names.slice(names.indexOf(current) + 1).find((name) => fits(fleet.tiers[name].quota)) ?? null;
}
