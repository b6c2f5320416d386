import { fleetWorld, type FleetWorld } from "./fleetWorld";
import { N, STORY_MS, TIERS, expectOnTier, projectsByTenant, tierOf } from "./hundredFleet";

describe("onboarding through an unreliable Neon (5% 503s, 2% dropped connections)", () => {
  let world: FleetWorld;
  beforeAll(async () => {
    world = await fleetWorld("hundred", { emulator: { faults: { http503: 0.05, drop: 0.02 } } });
  });
  afterAll(async () => world.close());

  it(
    "every tenant ends with exactly one project on its tier, and a rerun changes nothing",
    async () => {
      const result = await world.run("up");
      expect(result.failures).toEqual([]);
      const byTenant = await projectsByTenant(world);
      expect(byTenant.size).toBe(N);
      for (const [tenantId, project] of byTenant) expectOnTier(project, TIERS[tierOf(tenantId)]);

      world.emulator.resetStats();
      const rerun = await world.run("up");
      expect(rerun.ok).toBe(true);
      expect(Object.keys(rerun.preview.changeSummary)).toEqual(["same"]);
      expect(world.mutations()).toBe(0);
    },
    STORY_MS,
  );
});
