import { MAX_TENANT_ID_LENGTH as MAX_ID_LENGTH, TENANT_ID_PATTERN as TENANT_ID } from "../../provider/neon/limits";
import type { Fleet, ResolvedTier } from "../../provider/plans";
import type { TierSettings } from "../../provider/resources/tierSettings";

/**
 * A valid tenant id for a project, unique among `taken` (which it joins): the project name without the fleet prefix,
 * lower-cased, with every run of other characters turned into one dash, cut to 47 characters; `-2`, `-3`... on clashes.
 */
export function deriveTenantId(projectName: string, prefix: string, taken: Set<string>): string {
  const stripped = prefix && projectName.startsWith(prefix) ? projectName.slice(prefix.length) : projectName;
  const slug = stripped
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX_ID_LENGTH)
    .replace(/-+$/, "");
  const base = TENANT_ID.test(slug) ? slug : "project";
  let id = base;
  for (let n = 2; taken.has(id); n++) {
    const suffix = `-${n}`;
    id = `${base.slice(0, MAX_ID_LENGTH - suffix.length).replace(/-+$/, "")}${suffix}`;
  }
  taken.add(id);
  return id;
}

/**
 * The first project tier (in tiers.yaml order) whose quota and endpoint settings equal the live ones exactly, and
 * whose history retention, when it sets one, too: adopting onto it then changes nothing. Branch tiers never match (a
 * project cannot become a branch).
 */
export function matchingTier(live: TierSettings, tiers: Fleet["tiers"]): ResolvedTier | undefined {
  return Object.values(tiers).find(
    (tier) =>
      tier.placement !== "branch" &&
      sameValues(tier.quota, live.quota) &&
      sameValues(tier.endpointSettings, live.endpointSettings) &&
      (tier.historyRetentionSeconds === undefined || tier.historyRetentionSeconds === live.historyRetentionSeconds),
  );
}

function sameValues<T extends object>(a: T, b: T): boolean {
  return (Object.keys(a) as (keyof T)[]).every((key) => a[key] === b[key]);
}
