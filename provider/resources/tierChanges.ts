import { formatDuration, formatSize, formatSuspend } from "../plans/units";
import type { TierSettings } from "./tierSettings";

/**
 * Every tier setting that differs between two sets of settings, in tiers.yaml's words and units, e.g.
 * `storage unlimited -> 512MiB` or `compute 1-4 CU -> 0.25 CU`: what adopting a live project onto a tier changes.
 * History retention counts only when the tier sets it (otherwise the project's stays as it is).
 */
export function tierChanges(before: TierSettings, after: TierSettings): string[] {
  const q = (s: TierSettings) => s.quota;
  const e = (s: TierSettings) => s.endpointSettings;
  const compute = (s: TierSettings): string => {
    const { autoscaling_limit_min_cu: min, autoscaling_limit_max_cu: max } = e(s);
    return min === max ? `${min} CU` : `${min}-${max} CU`;
  };
  const views: [string, (s: TierSettings) => string][] = [
    ["compute", compute],
    ["suspendAfter", (s) => formatSuspend(e(s).suspend_timeout_seconds)],
    ["computeTime", (s) => formatDuration(q(s).compute_time_seconds)],
    ["activeTime", (s) => formatDuration(q(s).active_time_seconds)],
    ["storage", (s) => formatSize(q(s).logical_size_bytes)],
    ["dataTransfer", (s) => formatSize(q(s).data_transfer_bytes)],
    ["writtenData", (s) => formatSize(q(s).written_data_bytes)],
  ];
  if (after.historyRetentionSeconds !== undefined) {
    const retention = (s: TierSettings): string =>
      s.historyRetentionSeconds === undefined ? "(Neon's default)" : formatDuration(s.historyRetentionSeconds);
    views.push(["historyRetention", retention]);
  }
  return views.flatMap(([label, show]) =>
    show(before) === show(after) ? [] : [`${label} ${show(before)} -> ${show(after)}`],
  );
}
