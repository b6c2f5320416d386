import { z } from "zod";
import { MAX_CU, MAX_SUSPEND_SECONDS, MIN_CU, SUSPEND_DEFAULT, SUSPEND_NEVER } from "../neon/limits";
import { sameValue } from "./properties";

/**
 * The Neon settings a tier puts on a project, in Neon's own units, and their comparison. Shared by
 * TenantProject (a project is born with them) and PlanQuota (which keeps the project on them).
 */

const nonNegativeInt = z.number().int().nonnegative();

/** `settings.quota` of a Neon project: every key present (the full object is always sent), 0 = unlimited. */
export const neonQuotaSchema = z.strictObject({
  active_time_seconds: nonNegativeInt,
  compute_time_seconds: nonNegativeInt,
  written_data_bytes: nonNegativeInt,
  data_transfer_bytes: nonNegativeInt,
  logical_size_bytes: nonNegativeInt,
});

/** The autoscaling and suspend settings of a tier, applied to `default_endpoint_settings` and every endpoint. */
export const endpointSettingsSchema = z
  .strictObject({
    autoscaling_limit_min_cu: z.number().min(MIN_CU).max(MAX_CU),
    autoscaling_limit_max_cu: z.number().min(MIN_CU).max(MAX_CU),
    /** -1 = never suspend, 0 = Neon's default, otherwise 1 minute to 7 days (`provider/neon/limits.ts`). */
    suspend_timeout_seconds: z.number().int().min(SUSPEND_NEVER).max(MAX_SUSPEND_SECONDS),
  })
  .refine((s) => s.autoscaling_limit_min_cu <= s.autoscaling_limit_max_cu, {
    message: "autoscaling_limit_min_cu must not exceed autoscaling_limit_max_cu",
  });

/** A project's `settings.quota` with every key; 0 = unlimited. */
export type NeonQuota = z.infer<typeof neonQuotaSchema>;
/** Autoscaling limits (CU) and suspend timeout (seconds, -1 = never) of a tier. */
export type EndpointSettings = z.infer<typeof endpointSettingsSchema>;
/** A tier as Neon holds it on one project. */
export interface TierSettings {
  quota: NeonQuota;
  endpointSettings: EndpointSettings;
  /** `history_retention_seconds`; in a tier only when the plan sets it (else Neon's plan default stands). */
  historyRetentionSeconds?: number;
}

/** Autoscaling and suspend values as Neon reports them on an endpoint or as default endpoint settings. */
interface LiveEndpointSettings {
  autoscaling_limit_min_cu?: number;
  autoscaling_limit_max_cu?: number;
  suspend_timeout_seconds?: number;
}

/** The live shape Neon reports: keys may be missing, and a missing quota key means unlimited. */
interface LiveProjectSettings {
  settings?: { quota?: Partial<Record<keyof NeonQuota, number>> };
  default_endpoint_settings?: LiveEndpointSettings;
  history_retention_seconds?: number;
}

/** Reads a project's tier settings as Neon reports them, filling Neon's defaults for missing keys. */
export function liveTierSettings(project: LiveProjectSettings): TierSettings {
  const q = project.settings?.quota ?? {};
  const retention = project.history_retention_seconds;
  return {
    quota: {
      active_time_seconds: q.active_time_seconds ?? 0,
      compute_time_seconds: q.compute_time_seconds ?? 0,
      written_data_bytes: q.written_data_bytes ?? 0,
      data_transfer_bytes: q.data_transfer_bytes ?? 0,
      logical_size_bytes: q.logical_size_bytes ?? 0,
    },
    endpointSettings: liveEndpointSettings(project.default_endpoint_settings ?? {}),
    ...(retention === undefined ? {} : { historyRetentionSeconds: retention }),
  };
}

/**
 * The order of the numbers in a {@link settingsLine}: the quota keys, the endpoint keys, then history retention.
 * Fixed: lines in existing state files are read with it.
 */
const QUOTA_KEYS = [
  "active_time_seconds",
  "compute_time_seconds",
  "written_data_bytes",
  "data_transfer_bytes",
  "logical_size_bytes",
] as const;
const ENDPOINT_KEYS = ["autoscaling_limit_min_cu", "autoscaling_limit_max_cu", "suspend_timeout_seconds"] as const;

/**
 * Tier settings as one line of comma-separated numbers, e.g. `0,360000,1073741824,5368709120,536870912,0.25,0.25,
 * 300,86400` (quota, endpoint settings, then retention when known). This is how TenantProject records what it saw
 * on the project for PlanQuota's offline comparison: a tenth of the size of the object in every state file.
 */
export function settingsLine(settings: TierSettings): string {
  const numbers = [
    ...QUOTA_KEYS.map((key) => settings.quota[key]),
    ...ENDPOINT_KEYS.map((key) => settings.endpointSettings[key]),
    ...(settings.historyRetentionSeconds === undefined ? [] : [settings.historyRetentionSeconds]),
  ];
  return numbers.join(",");
}

/** The settings of a {@link settingsLine}; undefined when the text is not one (then nothing is taken as seen). */
export function parseSettingsLine(line: string): TierSettings | undefined {
  const numbers = line.split(",").map(Number);
  const fixed = QUOTA_KEYS.length + ENDPOINT_KEYS.length;
  if ((numbers.length !== fixed && numbers.length !== fixed + 1) || numbers.some((n) => !Number.isFinite(n))) {
    return undefined;
  }
  const quota = Object.fromEntries(QUOTA_KEYS.map((key, i) => [key, numbers[i]])) as NeonQuota;
  const endpoint = ENDPOINT_KEYS.map((key, i) => [key, numbers[QUOTA_KEYS.length + i]]);
  const retention = numbers[fixed];
  return {
    quota,
    endpointSettings: Object.fromEntries(endpoint) as EndpointSettings,
    ...(retention === undefined ? {} : { historyRetentionSeconds: retention }),
  };
}

/**
 * True when a project seen with `observed` (an object, or a {@link settingsLine}) already has the tier `want`.
 * History retention counts only when the tier sets it: a tier without it accepts whatever the Neon plan gave the
 * project.
 */
export function tierSettingsMatch(seen: TierSettings | string | undefined, want: TierSettings): boolean {
  const observed = typeof seen === "string" ? parseSettingsLine(seen) : seen;
  if (!observed) return false;
  const retention = want.historyRetentionSeconds;
  const retentionMatches = retention === undefined || observed.historyRetentionSeconds === retention;
  const endpointsMatch = sameValue(observed.endpointSettings, want.endpointSettings);
  return retentionMatches && endpointsMatch && sameValue(observed.quota, want.quota);
}

/** Reads an endpoint's (or the default) autoscaling and suspend values, filling Neon's defaults for missing keys. */
export function liveEndpointSettings(live: LiveEndpointSettings): EndpointSettings {
  return {
    autoscaling_limit_min_cu: live.autoscaling_limit_min_cu ?? MIN_CU,
    autoscaling_limit_max_cu: live.autoscaling_limit_max_cu ?? MIN_CU,
    suspend_timeout_seconds: live.suspend_timeout_seconds ?? SUSPEND_DEFAULT,
  };
}

/** True when an endpoint (or default endpoint settings) already has the tier's autoscaling and suspend values. */
export function endpointMatches(endpoint: LiveEndpointSettings, want: EndpointSettings): boolean {
  return (
    endpoint.autoscaling_limit_min_cu === want.autoscaling_limit_min_cu &&
    endpoint.autoscaling_limit_max_cu === want.autoscaling_limit_max_cu &&
    endpoint.suspend_timeout_seconds === want.suspend_timeout_seconds
  );
}
