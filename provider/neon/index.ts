/**
 * The Neon client layer: the only way neon-fleet talks to Neon. One limiter, one retry policy and one project
 * cache per process, kept on `globalThis` so that every copy of this module (the dynamic provider loads its
 * functions more than once) shares them.
 */
import { FleetError } from "../errors";
import { FleetNeonClient, type CreateReadiness } from "./client";
import { RateLimiter } from "./limiter";
import { readTuning, type NeonTuning } from "./tuning";
import { Transport, type CallCounters, type NeonConnection } from "./transport";
import type { NeonClient } from "./types";

export type {
  Branch,
  ConsumptionHistoryPerProject,
  Endpoint,
  Project,
  ProjectListItem,
} from "@neondatabase/api-client";
export type { CreateReadiness } from "./client";
export { isNotFound, orWhenGone } from "./apiErrors";
export type { NeonTuning } from "./tuning";
export type { CallCounters, NeonConnection } from "./transport";
export type { TransferOutcome } from "./transfers";
export type {
  AnnotatedBranches,
  BranchSpec,
  CallContext,
  CreatedBranch,
  CreatedProject,
  ListOptions,
  NeonClient,
} from "./types";

/** Neon's public API. */
export const DEFAULT_API_HOST = "https://console.neon.tech/api/v2";

/** Burst allowed on the consumption endpoints, whose per-minute limit is far lower than the others'. */
const CONSUMPTION_BURST = 5;

interface ProcessNeon {
  tuning: NeonTuning;
  limiter: RateLimiter;
  consumptionLimiter: RateLimiter;
  counters: CallCounters;
  settings: Partial<NeonConnection>;
  readiness: CreateReadiness;
  current?: { connection: NeonConnection; client: NeonClient };
}

const slot = Symbol.for("neon-fleet.neon");

function processNeon(): ProcessNeon {
  const global = globalThis as { [slot]?: ProcessNeon };
  if (!global[slot]) {
    const tuning = readTuning();
    global[slot] = {
      tuning,
      limiter: new RateLimiter(tuning.ratePerMinute, tuning.burstPerSecond),
      consumptionLimiter: new RateLimiter(tuning.consumptionRatePerMinute, CONSUMPTION_BURST),
      counters: { calls: 0, retries: 0, rateLimited: 0, locked: 0 },
      settings: {},
      readiness: { waitForReady: false },
    };
  }
  return global[slot];
}

/**
 * Sets the connection for this process (from the dynamic provider's configure, or a CLI command's `--api`).
 * Unset fields fall back to NEON_API_KEY / NEON_API_HOST when the client is first used.
 */
export function configureNeon(settings: Partial<NeonConnection>): void {
  const state = processNeon();
  for (const key of ["apiKey", "apiHost", "orgId"] as const) {
    if (settings[key] !== undefined && settings[key] !== "") state.settings[key] = settings[key];
  }
}

/**
 * Makes this process use `share` of the account's request budget (NEON_FLEET_RATE per minute, NEON_FLEET_BURST
 * per second): the stack's `neon-fleet:rateShare`, so K stacks running in parallel with 1/K each stay within it.
 */
export function shareRateBudget(share: number): void {
  processNeon().limiter.useShare(share);
}

/**
 * Makes this process's creates wait for the operations they start (the stack's `neon-fleet:waitForReady`); off by
 * default, a new project costs its `POST /projects` alone.
 */
export function waitForReady(wait: boolean): void {
  processNeon().readiness.waitForReady = wait;
}

/** The process-wide client. Throws a FleetError saying how to set the key when none is configured. */
export function neon(): NeonClient {
  const state = processNeon();
  const apiKey = state.settings.apiKey ?? process.env.NEON_API_KEY;
  const apiHost = state.settings.apiHost ?? process.env.NEON_API_HOST ?? DEFAULT_API_HOST;
  if (!apiKey) {
    throw new FleetError(
      "no Neon API key: set NEON_API_KEY, or run `pulumi config set --secret neon-fleet:apiKey <key>` for the stack",
    );
  }
  const connection = { apiKey, apiHost: apiHost.replace(/\/+$/, ""), orgId: state.settings.orgId };
  const current = state.current;
  if (current && (["apiKey", "apiHost", "orgId"] as const).every((key) => current.connection[key] === connection[key]))
    return current.client;
  const client = buildClient(
    connection,
    state.tuning,
    state.limiter,
    state.consumptionLimiter,
    state.counters,
    state.readiness,
  );
  state.current = { connection, client };
  return client;
}

/**
 * A client with limiters of its own instead of the process's: for a tool that must not share the process budget,
 * and for tests that pit a given rate against the emulator's.
 */
export function createNeonClient(
  connection: NeonConnection,
  tuning: Partial<NeonTuning> = {},
  readiness: CreateReadiness = { waitForReady: false },
): NeonClient {
  const full = { ...readTuning(), ...tuning };
  return buildClient(
    { ...connection, apiHost: connection.apiHost.replace(/\/+$/, "") },
    full,
    new RateLimiter(full.ratePerMinute, full.burstPerSecond),
    new RateLimiter(full.consumptionRatePerMinute, CONSUMPTION_BURST),
    { calls: 0, retries: 0, rateLimited: 0, locked: 0 },
    readiness,
  );
}

function buildClient(
  connection: NeonConnection,
  tuning: NeonTuning,
  limiter: RateLimiter,
  consumptionLimiter: RateLimiter,
  counters: CallCounters,
  readiness: CreateReadiness,
): NeonClient {
  const transport = new Transport(connection, tuning, limiter, counters);
  return new FleetNeonClient(transport, consumptionLimiter, counters, tuning, readiness);
}
