import { fleetWorld, stepOps, type FleetWorld } from "./fleetWorld";

/** Each story is one engine preview: well under a minute, with room for a busy machine. */
const STORY_MS = 180_000;

describe("the stack program", () => {
  let world: FleetWorld;
  beforeEach(async () => {
    world = await fleetWorld("small");
  });
  afterEach(async () => world.close());

  test("invalid plans stop the program with one FILE:LINE:COL line per problem and nothing registered", async () => {
    world.editPlan("tenants/customers.yaml", (text) => text.replace("tier: pro", "tier: platinum").replace("residency: eu", "residency: mars"));

    const result = await world.run("preview");

    expect(result.ok).toBe(false);
    const output = `${result.stderr}\n${result.preview.diagnostics.map((d) => d.message).join("\n")}`;
    expect(output).toMatch(/customers\.yaml:3:11: .*platinum/);
    expect(output).toMatch(/customers\.yaml:\d+:\d+: .*mars/);
    expect(output).not.toMatch(/at .*\.js:\d+:\d+\)/);
    expect(stepOps(result, "TenantProject")).toEqual({});
    expect(world.emulator.stats().requests.total).toBe(0);
  }, STORY_MS);

  test("a stack sharded on a residency group manages only that group's tenants", async () => {
    const result = await world.run("preview", { "neon-fleet:shard": "eu" });

    expect(result.ok).toBe(true);
    expect(stepOps(result, "TenantProject")).toEqual({ globex: "create" });
    expect(stepOps(result, "PlanQuota")).toEqual({ globex: "create" });
    expect(result.outputs).toEqual({ tenants: 1, tenantsByTier: { free: 1 }, tenantsByRegion: { "aws-eu-central-1": 1 }, devBranches: 0 });
  }, STORY_MS);
});
