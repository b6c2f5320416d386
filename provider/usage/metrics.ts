import type { ConsumptionHistoryPerProject } from "@neondatabase/api-client";
import type { NeonQuota } from "../plans";

/** A tenant's consumption this month in Neon units; undefined where Neon did not report the figure. */
export type Usage = { [K in keyof NeonQuota]: number | undefined };

/** The five quota figures, in tiers.yaml's words and the order reports show them. */
export const METRICS = [
  { name: "computeTime", quota: "compute_time_seconds", kind: "duration" },
  { name: "activeTime", quota: "active_time_seconds", kind: "duration" },
  { name: "writtenData", quota: "written_data_bytes", kind: "size" },
  { name: "dataTransfer", quota: "data_transfer_bytes", kind: "size" },
  { name: "storage", quota: "logical_size_bytes", kind: "size" },
] as const satisfies readonly { name: string; quota: keyof NeonQuota; kind: "duration" | "size" }[];

/** A metric's name in tiers.yaml. */
export type MetricName = (typeof METRICS)[number]["name"];

/**
 * Adds up a project's consumption history: times and written data are sums over the timeframes, storage is the
 * largest logical size seen. Data transfer is not part of Neon's consumption history; it is counted only when a
 * timeframe carries it.
 */
export function usageOf(history: ConsumptionHistoryPerProject): Usage {
  const frames = history.periods.flatMap((period) => period.consumption) as (ConsumptionHistoryPerProject["periods"][number]["consumption"][number] & {
    data_transfer_bytes?: number;
  })[];
  const sum = (pick: (f: (typeof frames)[number]) => number | undefined) =>
    frames.reduce<number | undefined>((total, f) => (pick(f) === undefined ? total : (total ?? 0) + pick(f)!), undefined);
  const storage = frames.map((f) => f.logical_size_bytes).filter((v): v is number => v !== undefined);
  return {
    compute_time_seconds: sum((f) => f.compute_time_seconds) ?? 0,
    active_time_seconds: sum((f) => f.active_time_seconds) ?? 0,
    written_data_bytes: sum((f) => f.written_data_bytes) ?? 0,
    data_transfer_bytes: sum((f) => f.data_transfer_bytes),
    logical_size_bytes: storage.length > 0 ? Math.max(...storage) : undefined,
  };
}
