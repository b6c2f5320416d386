/**
 * What adopting a live project onto its tier will change, read while the stack previews. A resource's Check and Diff
 * never call Neon (preview runs them one at a time for every resource, and they must stay offline and fast), and
 * `read` runs only on refresh, so the one place a preview can legitimately look at a project it does not manage yet
 * is the program itself: during a preview only (`pulumi up` runs one first), it reads each project named by a tenant's
 * `adopt:` once (one call per adopting tenant; tenants without `adopt:` cost none) and hands the changes to the
 * TenantProject as an input the preview shows and the summary lists. A tenant that would adopt a project by its name
 * is not known before `up` without reading the whole account, so it is not covered here: `up` logs what it changes.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedTenant } from "../provider/plans";
import { liveTierSettings } from "../provider/resources/tierSettings";
import { tierChanges } from "../provider/resources/tierChanges";

/** Shown when adopting changes nothing: the preview then says so rather than nothing. */
export const NO_TIER_CHANGES = "no tier setting changes";

/**
 * The tier changes of each tenant with `adopt:` (tenant id -> `storage unlimited -> 512MiB, ...`), during a preview;
 * empty otherwise. A project that cannot be read is left out with a warning: the create reports it properly.
 */
export async function adoptionChanges(tenants: readonly ResolvedTenant[]): Promise<Map<string, string>> {
  const changes = new Map<string, string>();
  const adopting = tenants.filter((t) => t.adopt !== undefined && t.placement !== "branch");
  if (!pulumi.runtime.isDryRun() || adopting.length === 0) return changes;
  // The client layer (and its HTTP stack) loads only when some tenant adopts.
  const neonLayer = require("../provider/neon") as typeof import("../provider/neon");
  const config = pulumi.runtime.allConfig();
  neonLayer.configureNeon({ apiKey: config["neon-fleet:apiKey"], apiHost: config["neon-fleet:apiHost"] });
  const client = neonLayer.neon();
  await Promise.all(
    adopting.map(async (tenant) => {
      try {
        const project = await client.getProject(tenant.adopt!, { tenantId: tenant.id });
        if (!project) return;
        const found = tierChanges(liveTierSettings(project), tenant);
        changes.set(tenant.id, found.length > 0 ? found.join(", ") : NO_TIER_CHANGES);
      } catch (err) {
        const why = (err as { message?: string }).message ?? String(err);
        const what = `cannot read project ${tenant.adopt} to show what adopting it changes`;
        pulumi.log.warn(`tenant ${tenant.id}: ${what}: ${why}`);
      }
    }),
  );
  return changes;
}
