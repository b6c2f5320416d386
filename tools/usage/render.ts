import { formatSize } from "../../provider/plans";
import { METRICS } from "./metrics";
import { NEAR_LIMIT_PERCENT, type MetricUse } from "./report";
import type { UsageReport } from "./index";

/** Usage in the units of tiers.yaml: times in hours (one decimal at most, as quotas are written), sizes exact or rounded. */
function amount(value: number, kind: "duration" | "size"): string {
  if (kind === "duration") return `${Number((value / 3600).toFixed(1))}h`;
  return value === 0 ? "0B" : formatSize(value);
}

function cell(use: MetricUse, kind: "duration" | "size"): string {
  if (use.used === null) return "n/a";
  const limit = use.limit === 0 ? "unlimited" : amount(use.limit, kind);
  return `${amount(use.used, kind)}/${limit}${use.percent === null ? "" : ` ${use.percent}%`}`;
}

/**
 * The report as a terminal table: tenants at or over 80% of any limit first, their cells marked, and the next tier
 * suggested for those over a limit.
 */
export function renderUsageTable(report: UsageReport): string {
  const header = ["TENANT", "TIER", ...METRICS.map((m) => m.name), "PEAK", "SUGGESTION"];
  const rows = report.tenants.map((t) => [
    t.tenant,
    t.custom ? `${t.tier} (custom)` : t.tier,
    ...METRICS.map((m) => (t.projectId === null ? "-" : cell(t.metrics[m.name], m.kind))),
    t.projectId === null ? "no project" : t.peakPercent === null ? "-" : `${t.peakPercent}%`,
    t.suggestedTier
      ? `move to ${t.suggestedTier}`
      : t.peakPercent !== null && t.peakPercent >= 100
        ? "raise overrides"
        : "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  const near = report.tenants.filter((t) => t.peakPercent !== null && t.peakPercent >= NEAR_LIMIT_PERCENT).length;
  const title = `usage ${report.from.slice(0, 10)}..${report.to.slice(0, 10)}: ${report.tenants.length} tenants, ${near} at or over ${NEAR_LIMIT_PERCENT}% of a limit`;
  const notes = report.dataTransferMeasured
    ? []
    : [
        "dataTransfer: not in Neon's consumption history; run with --transfer to read it per project (one call per tenant)",
      ];
  return `${[title, "", line(header), ...rows.map(line), ...(notes.length ? ["", ...notes] : [])].join("\n")}\n`;
}
