import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { startEmulator, type RunningEmulator } from "../../emulator";
import type { TenantProjectInputs } from "../../provider/resources/tenantProject";

/** The key the unit-tier emulator accepts. */
export const KEY = "napi_resources_unit_key";

/** The plans unit tests configure by default (deletes read them): tenants acme, globex and initech. */
export const UNIT_PLANS = path.join(__dirname, "..", "fixtures", "fleet", "small");

/**
 * A ConfigureRequest as the dynamic-provider server builds it from the engine's Configure call: stack config by
 * `namespace:key`, text values. Connects the process's Neon client to `emulator`; plans are {@link UNIT_PLANS}.
 */
export function stackConfig(
  emulator: RunningEmulator,
  values: Record<string, string> = {},
): pulumi.dynamic.ConfigureRequest {
  const all: Record<string, string> = {
    "neon-fleet:apiKey": KEY,
    "neon-fleet:apiHost": emulator.url,
    "neon-fleet:plans": UNIT_PLANS,
    ...values,
  };
  return { config: { get: (key: string) => all[key] } } as unknown as pulumi.dynamic.ConfigureRequest;
}

/** An in-process emulator with fast operations and a generous rate: unit tests wait only where they mean to. */
export function startUnitEmulator(): Promise<RunningEmulator> {
  process.env.NEON_FLEET_RATE = "60000";
  process.env.NEON_FLEET_BURST = "1000";
  return startEmulator({ port: 0, opMs: 10, ratePerMinute: 60_000, burstPerSecond: 1_000, apiKey: KEY });
}

/** Mutating requests (anything but GET) the emulator received since its last reset. */
export function mutations(emulator: RunningEmulator): Record<string, number> {
  const routes = Object.entries(emulator.stats().requests.byRoute);
  return Object.fromEntries(routes.filter(([route]) => !route.startsWith("GET ")));
}

/** A small tier's quota in Neon units (100 h compute, 1 GiB written, 5 GiB transfer, 512 MiB storage). */
export const UNIT_QUOTA = {
  active_time_seconds: 0,
  compute_time_seconds: 360000,
  written_data_bytes: 2 ** 30,
  data_transfer_bytes: 5 * 2 ** 30,
  logical_size_bytes: 2 ** 29,
};

/** A small tier's computes: a fixed 0.25 CU, suspended after 5 minutes. */
export const UNIT_ENDPOINTS = {
  autoscaling_limit_min_cu: 0.25,
  autoscaling_limit_max_cu: 0.25,
  suspend_timeout_seconds: 300,
};

/** A TenantProject's inputs as the program registers them for a `free` tenant in aws-us-east-2. */
export function tenantInputs(tenantId: string, overrides: Partial<TenantProjectInputs> = {}): TenantProjectInputs {
  return {
    tenantId,
    projectName: `tenant-${tenantId}`,
    tier: "free",
    residency: "us",
    region: "aws-us-east-2",
    pgVersion: 17,
    onRemove: "retain",
    quota: UNIT_QUOTA,
    endpointSettings: UNIT_ENDPOINTS,
    ...overrides,
  };
}
