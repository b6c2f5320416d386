/**
 * The rules of Neon's API the emulator enforces (regions, compute sizes, suspend timeouts, branch expiry, ...).
 *
 * The emulator keeps its own copy of Neon's facts on purpose, and imports nothing from `provider/` (not even
 * `provider/neon/limits.ts`): it is an independent model of Neon, written from Neon's documentation and OpenAPI
 * document. If both sides read one constant, a provider bug in that constant would pass every test against the
 * emulator.
 */
import { badRequest } from "./apiError";
import { REGIONS } from "./regions";

export { DEFAULT_REGION, REGIONS } from "./regions";

/** Neon's default Postgres version. */
export const DEFAULT_PG_VERSION = 17;
/** Compute size of endpoints when neither the request nor the project's defaults say. */
export const DEFAULT_CU = 0.25;
const MIN_CU = 0.25;
/** Largest compute size Neon autoscales to. */
export const MAX_CU = 56;
const MIN_SUSPEND = 60;
const MAX_SUSPEND = 604_800;
const MAX_BRANCH_TTL_MS = 30 * 24 * 3600 * 1000;

export function checkRegion(region: string): void {
  if (!REGIONS.includes(region))
    throw badRequest(`region_id ${region} is not supported; use one of ${REGIONS.join(", ")}`);
}

export function checkPgVersion(version: number): void {
  if (!Number.isInteger(version) || version < 14 || version > 18) {
    throw badRequest(`pg_version ${version} is not supported; use 14, 15, 16, 17 or 18`);
  }
}

/** Compute units: 0.25..56 in steps of 0.25, and min <= max. */
export function checkComputeUnits(min: number, max: number): void {
  for (const [name, cu] of [
    ["autoscaling_limit_min_cu", min],
    ["autoscaling_limit_max_cu", max],
  ] as const) {
    if (cu < MIN_CU || cu > MAX_CU || !Number.isInteger(cu * 4)) {
      throw badRequest(
        `${name} ${cu} is invalid: compute units must be a multiple of 0.25 between ${MIN_CU} and ${MAX_CU}`,
      );
    }
  }
  if (min > max) throw badRequest(`autoscaling_limit_min_cu ${min} must not exceed autoscaling_limit_max_cu ${max}`);
}

/** `suspend_timeout_seconds`: -1 (never), 0 (default) or 60..604800. */
export function checkSuspendTimeout(seconds: number): void {
  if (seconds === -1 || seconds === 0) return;
  if (!Number.isInteger(seconds) || seconds < MIN_SUSPEND || seconds > MAX_SUSPEND) {
    throw badRequest(
      `suspend_timeout_seconds ${seconds} is invalid: use -1 (never), 0 (default) or ${MIN_SUSPEND}..${MAX_SUSPEND}`,
    );
  }
}

/** Parses and checks a branch `expires_at`: in the future, at most 30 days ahead, never on the default branch. */
export function parseExpiresAt(value: string, now: number, isDefault: boolean): number {
  if (isDefault) throw badRequest("expires_at cannot be set on the default branch");
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw badRequest(`expires_at ${value} is not an RFC 3339 date-time`);
  if (at <= now) throw badRequest(`expires_at ${value} is in the past; it must be a future time`);
  if (at - now > MAX_BRANCH_TTL_MS) throw badRequest(`expires_at ${value} is more than 30 days ahead`);
  return at;
}
