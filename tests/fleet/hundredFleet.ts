/** The 100-tenant fleet of tests/fixtures/fleet/hundred and how a story checks it against Neon. */
import type { ProjectListItem } from "@neondatabase/api-client";
import type { FleetWorld } from "./fleetWorld";

/** The tiers of tests/fixtures/fleet/hundred/tiers.yaml in Neon's units. */
export const TIERS = {
  free: {
    quota: {
      active_time_seconds: 0,
      compute_time_seconds: 360_000,
      written_data_bytes: 2 ** 30,
      data_transfer_bytes: 5 * 2 ** 30,
      logical_size_bytes: 512 * 2 ** 20,
    },
    endpoint: { autoscaling_limit_min_cu: 0.25, autoscaling_limit_max_cu: 0.25, suspend_timeout_seconds: 300 },
  },
  pro: {
    quota: {
      active_time_seconds: 0,
      compute_time_seconds: 2_700_000,
      written_data_bytes: 50 * 2 ** 30,
      data_transfer_bytes: 50 * 2 ** 30,
      logical_size_bytes: 10 * 2 ** 30,
    },
    endpoint: { autoscaling_limit_min_cu: 0.25, autoscaling_limit_max_cu: 2, suspend_timeout_seconds: 600 },
  },
  enterprise: {
    quota: {
      active_time_seconds: 0,
      compute_time_seconds: 0,
      written_data_bytes: 0,
      data_transfer_bytes: 0,
      logical_size_bytes: 100 * 2 ** 30,
    },
    endpoint: { autoscaling_limit_min_cu: 1, autoscaling_limit_max_cu: 8, suspend_timeout_seconds: 600 },
  },
} as const;
/** A tier of the fixture. */
export type Tier = keyof typeof TIERS;

/** Tenants in the fixture: 50 in residency us, 50 in eu. */
export const N = 100;
/** A story here is one or two engine runs over 200 resources: about a minute on a busy 2-core machine. */
export const STORY_MS = 300_000;
/** Fixture ids are `<group>-<index>`; tier = index mod 3 (free, pro, enterprise). */
export const tierOf = (tenantId: string): Tier =>
  (["free", "pro", "enterprise"] as const)[Number(tenantId.slice(3)) % 3];
/** Where the fixture places a tenant: its residency group's first region. */
export const regionOf = (tenantId: string): string =>
  tenantId.startsWith("eu-") ? "aws-eu-central-1" : "aws-us-east-2";

/** Expects the project to carry the tier's full quota and its default endpoint settings. */
export function expectOnTier(project: ProjectListItem, tier: { quota: object; endpoint: object }): void {
  expect(project.settings?.quota).toEqual(tier.quota);
  expect(project.default_endpoint_settings).toMatchObject(tier.endpoint);
}

/** The tenants' projects by tenant id; fails when a tenant has none or more than one. */
export async function projectsByTenant(world: FleetWorld): Promise<Map<string, ProjectListItem>> {
  const byTenant = new Map<string, ProjectListItem>();
  for (const project of await world.projects()) {
    const tenantId = project.name.replace(/^tenant-/, "");
    expect(byTenant.has(tenantId)).toBe(false);
    byTenant.set(tenantId, project);
  }
  return byTenant;
}
