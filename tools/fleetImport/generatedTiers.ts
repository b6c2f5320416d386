/**
 * Tiers `import` writes into tiers.yaml for projects whose live settings no tier matches (`imported-1`, ...), so
 * that importing and then `pulumi up` changes nothing on them. Projects with the same settings share one tier.
 */
import { parseDocument } from "yaml";
import { formatDuration, formatSize } from "../../provider/plans";
import { MAX_SUSPEND_SECONDS, MIN_SUSPEND_SECONDS } from "../../provider/neon/limits";
import type { TierSettings } from "../../provider/resources/tierSettings";

/** A tier to add to tiers.yaml, with its keys as tiers.yaml writes them. */
export interface GeneratedTier {
  name: string;
  spec: Record<string, unknown>;
  /** Tenants the import put on it. */
  tenants: number;
}

/** The generated tiers of one import, by their settings. */
export class GeneratedTiers {
  private readonly bySettings = new Map<string, GeneratedTier>();

  constructor(private readonly taken: ReadonlySet<string>) {}

  /**
   * The generated tier for `live` (made on first use), or undefined when tiers.yaml cannot say these settings (a
   * suspend timeout of Neon's default, 0, has no plan value): the tenant then keeps the fleet's default tier.
   */
  tierFor(live: TierSettings): GeneratedTier | undefined {
    const spec = tierSpec(live);
    if (!spec) return undefined;
    const key = JSON.stringify(spec);
    let tier = this.bySettings.get(key);
    if (!tier) {
      let n = this.bySettings.size + 1;
      while (this.taken.has(`imported-${n}`)) n++;
      tier = { name: `imported-${n}`, spec, tenants: 0 };
      this.bySettings.set(key, tier);
    }
    tier.tenants++;
    return tier;
  }

  get list(): GeneratedTier[] {
    return [...this.bySettings.values()];
  }
}

/** Live settings as a tiers.yaml entry, or undefined when one of them has no plan value. */
function tierSpec(live: TierSettings): Record<string, unknown> | undefined {
  const { quota: q, endpointSettings: e, historyRetentionSeconds: retention } = live;
  const suspend = e.suspend_timeout_seconds;
  const suspendable = suspend === -1 || (suspend >= MIN_SUSPEND_SECONDS && suspend <= MAX_SUSPEND_SECONDS);
  if (!suspendable) return undefined;
  return {
    compute: { min: e.autoscaling_limit_min_cu, max: e.autoscaling_limit_max_cu },
    suspendAfter: formatDuration(suspend),
    computeTime: formatDuration(q.compute_time_seconds),
    activeTime: formatDuration(q.active_time_seconds),
    storage: formatSize(q.logical_size_bytes),
    dataTransfer: formatSize(q.data_transfer_bytes),
    writtenData: formatSize(q.written_data_bytes),
    // Written out, so a later change of the fleet's default cannot touch the project.
    ...(retention === undefined || retention === 0 ? {} : { historyRetention: formatDuration(retention) }),
  };
}

/** tiers.yaml's text with `tiers` added under `tiers:`, its comments and layout kept. */
export function withTiers(text: string, tiers: readonly GeneratedTier[]): string {
  const doc = parseDocument(text);
  for (const tier of tiers) {
    const node = doc.createNode(tier.spec);
    const compute = node.get("compute", true) as { flow?: boolean } | undefined;
    if (compute) compute.flow = true;
    doc.setIn(["tiers", tier.name], node);
  }
  return doc.toString({ lineWidth: 0 });
}
