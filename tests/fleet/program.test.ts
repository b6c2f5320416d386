import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { fleetWorld, stepOps, type FleetWorld } from "./fleetWorld";
import runStack = require("../../stacks/index");

/** Each story is one engine preview: well under a minute, with room for a busy machine. */
const STORY_MS = 180_000;

describe("the stack program", () => {
  let world: FleetWorld;
  beforeEach(async () => {
    world = await fleetWorld("small");
  });
  afterEach(async () => world.close());

  test("a stack sharded on a residency group manages only that group's tenants", async () => {
    const result = await world.run("preview", { "neon-fleet:shard": "eu" });

    expect(result.ok).toBe(true);
    expect(stepOps(result, "TenantProject")).toEqual({ globex: "create" });
    expect(stepOps(result, "PlanQuota")).toEqual({ globex: "create" });
    expect(result.outputs).toEqual({ tenants: 1, tenantsByTier: { free: 1 }, tenantsByRegion: { "aws-eu-central-1": 1 }, devBranches: 0 });
  }, STORY_MS);
});

describe("the stack program with invalid plans", () => {
  // Pulumi's own mock monitor runs the program in-process: the story is about what the program registers
  // and says, and it needs no provider.
  test("stops with one FILE:LINE:COL line per problem and registers nothing", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "fleet-invalid-"));
    cpSync(path.join(__dirname, "..", "fixtures", "fleet", "small"), dir, { recursive: true });
    const customers = path.join(dir, "tenants", "customers.yaml");
    writeFileSync(customers, readFileSync(customers, "utf8").replace("tier: pro", "tier: platinum").replace("residency: eu", "residency: mars"));
    const registered: string[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push(args.name);
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: () => ({}),
      },
      "neon-fleet",
      "local",
      true,
    );
    pulumi.runtime.setAllConfig({ "neon-fleet:plans": dir });

    const failure = await runStack().then(
      () => undefined,
      (err: unknown) => err,
    );
    rmSync(dir, { recursive: true, force: true });

    expect(failure).toBeInstanceOf(pulumi.RunError);
    const lines = (failure as Error).message.split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/customers\.yaml:3:11: .*platinum/);
    expect(lines[1]).toMatch(/customers\.yaml:\d+:\d+: .*mars/);
    expect(registered).toEqual([]);
  });
});
