import path from "node:path";
import { loadPlans, type ResolvedTenant } from "../../provider/plans";

const PRECEDENCE = path.join(__dirname, "..", "fixtures", "plans", "precedence");
const GiB = 1024 ** 3;

describe("resolving plans into a fleet", () => {
  let tenants: Record<string, ResolvedTenant>;
  beforeAll(async () => {
    const fleet = await loadPlans(PRECEDENCE);
    tenants = Object.fromEntries(fleet.tenants.map((t) => [t.id, t]));
  });

  it("gives a tenant without keys the fleet defaults", () => {
    expect(tenants["inherits-fleet"]).toMatchObject({
      tier: "free",
      residency: "us",
      region: "aws-us-east-2",
      pgVersion: 17,
      onRemove: "retain",
    });
  });

  it("lets a file's defaults win over the fleet's", () => {
    expect(tenants["inherits-file"]).toMatchObject({
      tier: "pro",
      residency: "eu",
      region: "aws-eu-central-1",
      pgVersion: 16,
      onRemove: "delete",
    });
  });

  it("lets a tenant's own keys win over both", () => {
    expect(tenants["own-keys"]).toMatchObject({
      tier: "free",
      residency: "us",
      region: "aws-us-east-1",
      pgVersion: 18,
      onRemove: "retain",
    });
  });

  it("turns a tier into Neon's quota object and endpoint settings", () => {
    expect(tenants["inherits-fleet"]).toMatchObject({
      projectName: "tenant-inherits-fleet",
      hasOverrides: false,
      quota: {
        compute_time_seconds: 360000,
        active_time_seconds: 0,
        logical_size_bytes: 512 * 1024 ** 2,
        data_transfer_bytes: 5 * GiB,
        written_data_bytes: GiB,
      },
      endpointSettings: {
        autoscaling_limit_min_cu: 0.25,
        autoscaling_limit_max_cu: 0.25,
        suspend_timeout_seconds: 300,
      },
    });
  });

  it("applies a tenant's overrides over its tier, key by key", () => {
    expect(tenants.custom).toMatchObject({
      tier: "pro",
      adopt: "withered-sun-12345678",
      hasOverrides: true,
      quota: { logical_size_bytes: 200 * GiB, compute_time_seconds: 750 * 3600, written_data_bytes: 50 * GiB },
      endpointSettings: { autoscaling_limit_min_cu: 0.25, autoscaling_limit_max_cu: 4, suspend_timeout_seconds: -1 },
    });
  });

  it("lets tenants share overrides through a YAML anchor", () => {
    expect(tenants["custom-twin"]).toMatchObject({
      hasOverrides: true,
      quota: tenants.custom!.quota,
      endpointSettings: tenants.custom!.endpointSettings,
    });
  });

  it("records where each tenant is written", () => {
    expect(tenants.custom!.source).toEqual({
      file: path.relative(process.cwd(), path.join(PRECEDENCE, "tenants", "b-plain.yaml")),
      line: 3,
    });
  });

  it("resolves the dev project with the fleet's Postgres version and its branches' defaults and adopt", async () => {
    const { dev } = await loadPlans(PRECEDENCE);
    expect(dev).toMatchObject({
      projectName: "fleet-dev",
      region: "aws-us-east-2",
      tier: "free",
      pgVersion: 17,
      endpointSettings: { suspend_timeout_seconds: 300 },
      branches: [
        { name: "feature-login", parent: "main", ttlSeconds: 7 * 86400, resetToken: "2026-11-20" },
        { name: "login-migration", parent: "feature-login", ttlSeconds: 86400, adopt: true },
      ],
    });
    expect(dev?.branches[0]).not.toHaveProperty("adopt");
  });

  it("gives every tenant its own quota object, so changing one never changes another", async () => {
    const fleet = await loadPlans(PRECEDENCE);
    const [a, b] = fleet.tenants.filter((t) => t.tier === "free");
    a!.quota.logical_size_bytes = 1;
    expect(b!.quota.logical_size_bytes).toBe(512 * 1024 ** 2);
    expect(fleet.tiers.free!.quota.logical_size_bytes).toBe(512 * 1024 ** 2);
  });
});
