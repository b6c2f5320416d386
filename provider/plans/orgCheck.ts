/**
 * The rules of Neon's plans: every tier checked against the plan of the organization its tenants live in (the
 * tier's `org`, else `fleet.org`) as `fleet.yaml` `orgs` names it, and the tenants of each organization counted
 * against its project limit. An organization `orgs` does not name has no known plan and is not checked.
 */
import type { PlanError } from "../errors";
import { orgLimits, type PlanLimits } from "../neon/limits";
import type { FleetView, TenantsView, TiersView } from "./parse";
import type { TierSpec } from "./schema";
import type { PlanSource } from "./source";
import { formatDuration } from "./units";

/** What the plan rules look at; `undefined` where a file is missing or broken. */
export interface OrgCheckInput {
  fleet?: FleetView;
  tiersSource?: PlanSource;
  tiers?: TiersView;
  tenants: TenantsView[];
}

interface KnownOrg {
  id: string;
  plan: string;
  limits: PlanLimits;
}

const own = <T>(record: Record<string, T> | undefined, key: string): T | undefined =>
  record && Object.hasOwn(record, key) ? record[key] : undefined;

/** The organization a tier's tenants live in, with its plan's limits when `orgs` names it. */
function orgOf(input: OrgCheckInput, tier: TierSpec | undefined): KnownOrg | undefined {
  const id = tier?.org ?? input.fleet?.fleet?.org;
  const entry = id === undefined ? undefined : own(input.fleet?.orgs, id);
  if (id === undefined || !entry) return undefined;
  return { id, plan: entry.plan, limits: orgLimits(entry.plan, entry.limits) };
}

/** Appends every problem with Neon's plans to `errors`. */
export function checkOrgs(input: OrgCheckInput, errors: PlanError[]): void {
  const { tiersSource, tiers } = input;
  if (tiersSource && tiers) {
    for (const [name, tier] of Object.entries(tiers.tiers)) {
      const org = orgOf(input, tier);
      if (tier && org) checkTier(name, tier, org, tiersSource, errors);
    }
  }
  checkProjectCounts(input, errors);
}

/** A tier's compute, scale to zero and history retention within its organization's plan. */
function checkTier(name: string, tier: TierSpec, org: KnownOrg, source: PlanSource, errors: PlanError[]): void {
  const where = `on the ${org.plan} plan of ${org.id}`;
  const { min, max } = tier.compute;
  const cap = min === max ? org.limits.maxFixedCu : org.limits.maxAutoscalingCu;
  if (max > cap) {
    errors.push(
      source.error(["tiers", name, "compute", "max"], `tier ${name} allows at most ${cap} CU ${where} (max: ${max})`),
    );
  }
  const suspend = tier.suspendAfter;
  const { fixedSuspendSeconds: fixed, minSuspendSeconds, neverSuspend } = org.limits;
  const shownSuspend = suspend === -1 ? "never" : formatDuration(suspend);
  if (suspend === -1 && !neverSuspend) {
    const offer = fixed === undefined ? "" : ` (it suspends after ${formatDuration(fixed)})`;
    errors.push(
      source.error(
        ["tiers", name, "suspendAfter"],
        `tier ${name} cannot stay always on ${where}${offer} (suspendAfter: never)`,
      ),
    );
  } else if (suspend !== -1 && fixed !== undefined && suspend !== fixed) {
    const problem = `tier ${name} suspends after ${formatDuration(fixed)}, fixed, ${where} (suspendAfter: ${shownSuspend})`;
    errors.push(source.error(["tiers", name, "suspendAfter"], problem));
  } else if (suspend !== -1 && suspend < minSuspendSeconds) {
    const problem = `tier ${name} suspends after at least ${formatDuration(minSuspendSeconds)} ${where} (suspendAfter: ${shownSuspend})`;
    errors.push(source.error(["tiers", name, "suspendAfter"], problem));
  }
  const retention = tier.historyRetention;
  const most = org.limits.maxHistoryRetentionSeconds;
  if (retention !== undefined && retention > most) {
    const problem = `tier ${name} keeps at most ${formatDuration(most)} of history ${where} (historyRetention: ${formatDuration(retention)})`;
    errors.push(source.error(["tiers", name, "historyRetention"], problem));
  }
}

/**
 * Counts the tenants of each organization in file and list order and points at the first one over its project
 * limit (one error per organization: the rest follow from it). Skipped while tiers.yaml is unreadable, since a
 * tier decides the organization.
 */
function checkProjectCounts(input: OrgCheckInput, errors: PlanError[]): void {
  if (!input.tiers) return;
  const counts = new Map<string, number>();
  const fleetDefaults = input.fleet?.defaults;
  for (const file of input.tenants) {
    file.tenants.forEach((tenant, i) => {
      if (!tenant) return;
      const tierName = tenant.tier ?? file.defaults?.tier ?? fleetDefaults?.tier ?? "";
      const org = orgOf(input, own(input.tiers?.tiers, tierName));
      if (!org) return;
      const count = (counts.get(org.id) ?? 0) + 1;
      counts.set(org.id, count);
      if (count !== org.limits.projects + 1) return;
      const problem =
        `tenant ${tenant.id}: is project ${count} of ${org.id}, which holds at most ${org.limits.projects} ` +
        `(${org.plan} plan); move tenants to a tier of another org, or raise orgs.${org.id}.limits.projects ` +
        "once Neon raised the limit";
      errors.push(file.source.error(["tenants", i, "id"], problem));
    });
  }
}
