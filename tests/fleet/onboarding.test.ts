import { fleetWorld, stepOps, type FleetWorld } from "./fleetWorld";
import { N, STORY_MS, TIERS, expectOnTier, projectsByTenant, regionOf, tierOf } from "./hundredFleet";

describe("onboarding 100 tenants over 3 tiers and 2 residency groups", () => {
  let world: FleetWorld;
  // Neon's own limits on the emulator and the client's default budget: the zero-429 claim is about these.
  beforeAll(async () => {
    world = await fleetWorld("hundred", { fast: false });
  });
  afterAll(async () => world.close());

  it(
    "preview shows 200 creates and makes no API call",
    async () => {
      const result = await world.run("preview");
      expect(result.ok).toBe(true);
      expect(Object.values(stepOps(result, "TenantProject")).filter((op) => op === "create")).toHaveLength(N);
      expect(Object.values(stepOps(result, "PlanQuota")).filter((op) => op === "create")).toHaveLength(N);
      expect(world.emulator.stats().requests.total).toBe(0);
    },
    STORY_MS,
  );

  it(
    "up creates every project in its region on its tier, with one call per tenant and no 429",
    async () => {
      world.emulator.resetStats();
      const result = await world.run("up");
      const stats = world.emulator.stats();
      expect(result.failures).toEqual([]);
      expect(result.outputs).toMatchObject({ tenants: N, tenantsByTier: { free: 34, pro: 34, enterprise: 32 } });

      const byTenant = await projectsByTenant(world);
      expect(byTenant.size).toBe(N);
      for (const [tenantId, project] of byTenant) {
        expect(project.region_id).toBe(regionOf(tenantId));
        expectOnTier(project, TIERS[tierOf(tenantId)]);
      }
      // Per tenant: its create, whose answer holds the endpoint and connection strings (no operation poll);
      // PlanQuota's creates are free (born on tier). Shared: one listing of the account (adoption by name), a page
      // per 400 projects. Nothing else.
      expect(stats.requests.byRoute).toEqual({
        "POST /projects": N,
        "GET /projects": Math.ceil(N / 400),
      });
      expect(stats.rateLimited).toBe(0);
    },
    STORY_MS,
  );

  it(
    "a second up with no plan change makes no mutation and almost no call",
    async () => {
      world.emulator.resetStats();
      const result = await world.run("up");
      expect(result.ok).toBe(true);
      expect(Object.keys(result.preview.changeSummary)).toEqual(["same"]);
      expect(world.emulator.stats().requests.total).toBeLessThanOrEqual(Math.ceil(N / 400) + 2);
      expect(world.mutations()).toBe(0);
    },
    STORY_MS,
  );

  it(
    "re-tiering pro updates exactly the pro tenants, their defaults and their existing endpoints",
    async () => {
      world.editPlan("tiers.yaml", (text) =>
        text
          .replace("compute: { min: 0.25, max: 2 }", "compute: { min: 0.5, max: 4 }")
          .replace("storage: 10GiB", "storage: 20GiB"),
      );
      const newPro = {
        quota: { ...TIERS.pro.quota, logical_size_bytes: 20 * 2 ** 30 },
        endpoint: { ...TIERS.pro.endpoint, autoscaling_limit_min_cu: 0.5, autoscaling_limit_max_cu: 4 },
      };

      const result = await world.run("up");
      expect(result.failures).toEqual([]);
      const quotaOps = stepOps(result, "PlanQuota");
      const updated = Object.keys(quotaOps)
        .filter((id) => quotaOps[id] === "update")
        .sort();
      const pro = Object.keys(quotaOps)
        .filter((id) => tierOf(id) === "pro")
        .sort();
      expect(pro).toHaveLength(34);
      expect(updated).toEqual(pro);
      expect(Object.values(stepOps(result, "TenantProject")).every((op) => op === "same")).toBe(true);
      for (const [tenantId, project] of await projectsByTenant(world)) {
        const tier = tierOf(tenantId);
        expectOnTier(project, tier === "pro" ? newPro : TIERS[tier]);
        if (tier === "enterprise") continue;
        for (const endpoint of await world.endpoints(project.id)) {
          expect(endpoint).toMatchObject(tier === "pro" ? newPro.endpoint : TIERS.free.endpoint);
        }
      }
    },
    STORY_MS,
  );
});
