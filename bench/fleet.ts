import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmulator } from "../emulator";
import { runEngine } from "../tests/engine";
import { writeGeneratedPlans } from "./planLoad";

/** Calls, time and 429s of one engine command against the emulator. */
export interface PhaseCost {
  apiCalls: number;
  mutations: number;
  rateLimited: number;
  wallSeconds: number;
  /** Seconds from the first API call to the last (sampled every 100 ms): the run minus start-up and wind-down. */
  callSpanSeconds: number;
  /** Bytes a real engine with the file backend would have serialized for checkpoints during the command. */
  checkpointBytes: number;
}

/** What a fleet of one size costs to onboard, preview, re-apply and refresh. */
export interface FleetSizeResult {
  tenants: number;
  /** Provider operations the engine double ran at once (`--parallel`). */
  parallel: number;
  onboard: PhaseCost & {
    apiCallsPerTenant: number;
    secondsPerTenant: number;
    boundSeconds: number;
    ratioToBound: number;
    callSpanRatioToBound: number;
  };
  preview: PhaseCost;
  noopUp: PhaseCost & { goal: number };
  refresh: PhaseCost;
  /** Bytes of one tenant's TenantProject and PlanQuota in the state file at the end (after the refresh). */
  stateBytesPerTenant: number;
  /** Dynamic resources per tenant in state after onboarding. */
  resourcesPerTenant: number;
  providerBytes: Record<string, number>;
  secretInProvider: boolean;
}

const API_KEY = "bench-api-key-not-a-real-secret-0123456789";

/**
 * Runs the fleet lifecycle of `tenants` tenants against a fresh emulator through the engine double:
 * preview on empty state, onboarding `up`, a no-op `up`, and a `refresh`. Both sides use the same raised rate
 * so the run takes minutes; what counts is the ratio of wall time to the rate limit's lower bound.
 */
export async function benchFleet(
  tenants: number,
  ratePerMinute: number,
  burstPerSecond: number,
  parallel: number,
): Promise<FleetSizeResult> {
  const work = mkdtempSync(path.join(os.tmpdir(), `neon-fleet-bench-fleet-${tenants}-`));
  const plansDir = await writeGeneratedPlans(work, tenants);
  const stateFile = path.join(work, "state.json");
  const emulator = await startEmulator({ ratePerMinute, burstPerSecond, projectLimit: tenants + 10 });
  const env = { NEON_FLEET_RATE: String(ratePerMinute), NEON_FLEET_BURST: String(burstPerSecond) };
  const run = async (command: "preview" | "up" | "refresh"): Promise<PhaseCost> => {
    emulator.resetStats();
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
    const samples: { at: number; calls: number }[] = [];
    const sampler = setInterval(() => samples.push({ at: elapsed(), calls: emulator.stats().requests.total }), 100);
    const result = await runEngine({
      command,
      plansDir,
      stateFile,
      apiUrl: emulator.url,
      apiKey: API_KEY,
      env,
      parallel,
    }).finally(() => clearInterval(sampler));
    const wallSeconds = elapsed();
    if (!result.ok) {
      throw new Error(
        `${command} of ${tenants} tenants failed: ${result.failures
          .slice(0, 3)
          .map((f) => f.message)
          .join("; ")}`,
      );
    }
    const stats = emulator.stats();
    const mutations = Object.entries(stats.requests.byRoute)
      .filter(([route]) => !route.startsWith("GET "))
      .reduce((sum, [, n]) => sum + n, 0);
    const firstCall = samples.find((x) => x.calls > 0)?.at ?? 0;
    const lastCall = samples.find((x) => x.calls === stats.requests.total)?.at ?? wallSeconds;
    const checkpointBytes = result.checkpointBytes;
    return {
      apiCalls: stats.requests.total,
      mutations,
      rateLimited: stats.rateLimited,
      wallSeconds,
      callSpanSeconds: Math.max(0, lastCall - firstCall),
      checkpointBytes,
    };
  };
  try {
    const preview = await run("preview");
    const onboard = await run("up");
    const noopUp = await run("up");
    const refresh = await run("refresh");
    const boundSeconds = onboard.apiCalls / (ratePerMinute / 60);
    const state = readFileSync(stateFile, "utf8");
    return {
      tenants,
      parallel,
      onboard: {
        ...onboard,
        apiCallsPerTenant: onboard.apiCalls / tenants,
        secondsPerTenant: onboard.wallSeconds / tenants,
        boundSeconds,
        ratioToBound: onboard.wallSeconds / boundSeconds,
        callSpanRatioToBound: onboard.callSpanSeconds / boundSeconds,
      },
      preview,
      noopUp: { ...noopUp, goal: Math.ceil(tenants / 400) + 2 },
      refresh,
      resourcesPerTenant: customResources(state) / tenants,
      stateBytesPerTenant: tenantStateBytes(state, statSync(stateFile).size) / tenants,
      providerBytes: serializedProviderBytes(state),
      secretInProvider: state.includes(API_KEY),
    };
  } finally {
    await emulator.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Dynamic resources in an engine-double state file (what onboarding created). */
function customResources(stateText: string): number {
  const state = JSON.parse(stateText) as { resources?: { type: string; custom: boolean }[] };
  return (state.resources ?? []).filter((r) => r.custom && r.type.startsWith("pulumi-nodejs:dynamic/")).length;
}

/**
 * The bytes the TenantProject and PlanQuota resources take in an engine-double state file of `fileBytes`: the file
 * less the same document written without them (the double writes `JSON.stringify(doc, null, 1)` and a newline), so
 * the stack resource and the default provider, the same for any fleet size, are not charged to the tenants.
 */
function tenantStateBytes(stateText: string, fileBytes: number): number {
  const state = JSON.parse(stateText) as { resources?: { type: string }[] };
  const perTenant = /\/neon:(TenantProject|PlanQuota)$/;
  const rest = { ...state, resources: (state.resources ?? []).filter((r) => !perTenant.test(r.type)) };
  return fileBytes - Buffer.byteLength(`${JSON.stringify(rest, null, 1)}\n`);
}

/** Largest serialized provider (`__provider` input) per resource type found in an engine-double state file. */
function serializedProviderBytes(stateText: string): Record<string, number> {
  const state = JSON.parse(stateText) as { resources?: { type: string; inputs?: Record<string, unknown> }[] };
  const sizes: Record<string, number> = {};
  for (const resource of state.resources ?? []) {
    const provider = resource.inputs?.__provider;
    if (typeof provider !== "string") continue;
    const type = resource.type.split(":").pop() ?? resource.type;
    sizes[type] = Math.max(sizes[type] ?? 0, Buffer.byteLength(provider));
  }
  return sizes;
}
