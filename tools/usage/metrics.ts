import type { ConsumptionHistoryPerProject } from "@neondatabase/api-client";
import { z } from "zod";
import { FleetError } from "../../provider/errors";
import type { NeonQuota } from "../../provider/plans";

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
 * Timeframes one project may report for one month. Daily figures give about 31 per billing period; far more means
 * the answer is not what neon-fleet asked for, and adding it up would only produce a confident wrong number.
 */
export const MAX_TIMEFRAMES = 10_000;

/** A figure of one timeframe: absent (or null) when Neon did not report it, else a whole number Neon could count. */
const figure = z
  .number({ error: (issue) => `is ${describe(issue.input)}, not a number` })
  .min(0, { error: (issue) => `is negative (${String(issue.input)})` })
  .max(Number.MAX_SAFE_INTEGER, { error: (issue) => `is too large to be exact (${String(issue.input)})` })
  .nullish();

/** The part of Neon's consumption history per project that `usage` reads, checked before anything adds it up. */
const historySchema = z.object({
  project_id: z.string({ error: "is missing" }),
  periods: z.array(
    z.object({
      consumption: z.array(
        z.looseObject({
          compute_time_seconds: figure,
          active_time_seconds: figure,
          written_data_bytes: figure,
          data_transfer_bytes: figure,
          logical_size_bytes: figure,
        }),
        { error: (issue) => `is ${describe(issue.input)}, not a list of timeframes` },
      ),
    }),
    { error: (issue) => `is ${describe(issue.input)}, not a list of billing periods` },
  ),
});

type CheckedHistory = z.output<typeof historySchema>;
type Frame = CheckedHistory["periods"][number]["consumption"][number];

/**
 * Adds up a project's consumption history: times and written data are sums over the timeframes, storage is the
 * largest logical size seen. Data transfer is not part of Neon's consumption history; it is counted only when a
 * timeframe carries it. An answer that is not a history (no periods, absurdly many timeframes, negative or
 * inexact figures) is a {@link FleetError} saying what was odd, never a sum of it.
 */
export function usageOf(history: ConsumptionHistoryPerProject): Usage {
  const checked = checkHistory(history);
  const frames: Frame[] = [];
  for (const period of checked.periods) for (const frame of period.consumption) frames.push(frame);
  const sum = (pick: (f: Frame) => number | null | undefined) => {
    let total: number | undefined;
    for (const f of frames) {
      const value = pick(f);
      if (value !== undefined && value !== null) total = (total ?? 0) + value;
    }
    return total;
  };
  let storage: number | undefined;
  for (const f of frames) {
    if (typeof f.logical_size_bytes === "number") storage = Math.max(storage ?? 0, f.logical_size_bytes);
  }
  return {
    compute_time_seconds: sum((f) => f.compute_time_seconds) ?? 0,
    active_time_seconds: sum((f) => f.active_time_seconds) ?? 0,
    written_data_bytes: sum((f) => f.written_data_bytes) ?? 0,
    data_transfer_bytes: sum((f) => f.data_transfer_bytes),
    logical_size_bytes: storage,
  };
}

/** What to do about an odd answer: it may be passing, and Neon wants to hear of it if not. */
const ASK_AGAIN = "run again later, or report it to Neon if it stays";

function checkHistory(history: unknown): CheckedHistory {
  const project = (history as { project_id?: unknown } | null)?.project_id;
  const subject = `Neon's consumption history${typeof project === "string" ? ` for project ${project}` : ""}`;
  // Counted before the schema check, which would otherwise walk every one of an absurd number of timeframes.
  const periods = (history as { periods?: unknown } | null)?.periods;
  const framesIn = (period: { consumption?: unknown } | null) =>
    Array.isArray(period?.consumption) ? period.consumption.length : 0;
  const frames = Array.isArray(periods) ? periods.reduce<number>((n, period) => n + framesIn(period), 0) : 0;
  if (frames > MAX_TIMEFRAMES) {
    const count = `${frames} timeframes for one month (daily figures give about 31)`;
    throw new FleetError(`${subject} is odd: ${count}; ${ASK_AGAIN}`);
  }
  const result = historySchema.safeParse(history);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const step = (text: string, key: PropertyKey) =>
      typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key);
    const where = issue.path.reduce<string>(step, "");
    throw new FleetError(`${subject} is odd: ${where ? `${where} ` : ""}${issue.message}; ${ASK_AGAIN}`);
  }
  return result.data;
}

/** A rejected value in a message. */
function describe(input: unknown): string {
  if (input === undefined) return "missing";
  if (input === null) return "null";
  if (Array.isArray(input)) return "a list";
  return typeof input === "object" ? "a mapping" : `${typeof input} ${JSON.stringify(input)}`;
}
