import { FleetError } from "../errors";

/** The tunables of the client layer, read once per process from the environment. */
export interface NeonTuning {
  /** Requests per minute across the whole process (NEON_FLEET_RATE). */
  ratePerMinute: number;
  /** Requests in any one second (NEON_FLEET_BURST). */
  burstPerSecond: number;
  /** Requests per minute to the consumption endpoints, which Neon limits harder (NEON_FLEET_CONSUMPTION_RATE). */
  consumptionRatePerMinute: number;
  /** How long one HTTP request may take before it counts as a network failure (NEON_FLEET_HTTP_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /** How long to wait for the operations of one mutation (NEON_FLEET_OP_TIMEOUT_MS). */
  operationTimeoutMs: number;
  /** Attempts per call before a retryable failure becomes an error (NEON_FLEET_MAX_ATTEMPTS). */
  maxAttempts: number;
  /**
   * After a create whose outcome is unknown (504, cut connection), how long to keep looking for the object by name
   * before concluding it was not created (NEON_FLEET_CREATE_SETTLE_MS): Neon may finish the create after its
   * gateway gave up, so this must cover Neon's create latency.
   */
  createSettleMs: number;
}

/** Neon's documented limits are 700/min and 40/s per route; the defaults stay below them so 429s stay rare. */
const defaults: NeonTuning = {
  ratePerMinute: 600,
  burstPerSecond: 30,
  consumptionRatePerMinute: 30,
  requestTimeoutMs: 30_000,
  operationTimeoutMs: 300_000,
  maxAttempts: 8,
  createSettleMs: 15_000,
};

const variables: Record<keyof NeonTuning, string> = {
  ratePerMinute: "NEON_FLEET_RATE",
  burstPerSecond: "NEON_FLEET_BURST",
  consumptionRatePerMinute: "NEON_FLEET_CONSUMPTION_RATE",
  requestTimeoutMs: "NEON_FLEET_HTTP_TIMEOUT_MS",
  operationTimeoutMs: "NEON_FLEET_OP_TIMEOUT_MS",
  maxAttempts: "NEON_FLEET_MAX_ATTEMPTS",
  createSettleMs: "NEON_FLEET_CREATE_SETTLE_MS",
};

/**
 * Smallest value of each tunable. A limiter with a rate or burst below one request never grants a whole token, so
 * below 1 the run would wait forever without a word; attempts are whole.
 */
const minimums: Partial<Record<keyof NeonTuning, number>> = {
  ratePerMinute: 1,
  burstPerSecond: 1,
  consumptionRatePerMinute: 1,
  maxAttempts: 1,
};

/** Reads the tunables from `env`; a value that is not a number within its bounds is an error naming the variable. */
export function readTuning(env: NodeJS.ProcessEnv = process.env): NeonTuning {
  const tuning = { ...defaults };
  for (const key of Object.keys(variables) as (keyof NeonTuning)[]) {
    const raw = env[variables[key]];
    if (raw === undefined || raw.trim() === "") continue;
    const value = Number(raw);
    const minimum = minimums[key];
    if (!Number.isFinite(value) || value <= 0 || (minimum !== undefined && value < minimum)) {
      const rule = minimum === undefined ? "a positive number" : `a number of at least ${minimum}`;
      const name = variables[key];
      throw new FleetError(`${name}=${raw} is not ${rule}: unset it or set e.g. ${name}=${defaults[key]}`);
    }
    tuning[key] = value;
  }
  return tuning;
}
