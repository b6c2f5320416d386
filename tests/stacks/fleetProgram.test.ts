import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadPlans, type Fleet, type ResolvedDevBranch } from "../../provider/plans";
import { registerFleet, type FleetOutputs } from "../../stacks/fleetProgram";
import { decodeTenantDigest, tenantHash } from "../../provider/resources/tenantDigest";
import type { Shard } from "../../provider/plans/shard";

const SMALL = path.join(__dirname, "..", "fixtures", "fleet", "small");

/** The inputs of every resource the mocks saw, by name (the last run of `register`). */
const registeredInputs = new Map<string, Record<string, unknown>>();

/** One registration as the SDK sends it to the engine: resource type, name and the URNs it depends on. */
interface Registration {
  type: string;
  name: string;
  urn: string;
  dependencies: string[];
  /** Names of the resource's aliases (`aliases: [{ name }]`). */
  aliases: string[];
}

/** The parts of the SDK's RegisterResourceRequest read here. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getDependenciesList(): string[];
  getAliasesList(): { getSpec(): { getName(): string } | undefined }[];
}
type Monitor = { registerResource(req: RegisterRequest, callback: unknown): unknown };

/**
 * Runs the stack program under Pulumi's mocks (no engine, no Neon) and returns every registration in the order the
 * SDK sent it, with the dependencies it declared: what the engine would receive.
 */
async function register(fleet: Fleet, shard: Shard = {}): Promise<{ outputs: FleetOutputs; seen: Registration[] }> {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registeredInputs.set(args.name, args.inputs);
        return { id: `${args.name}-id`, state: { ...args.inputs, projectId: `${args.name}-project` } };
      },
      call: (args) => args.inputs,
    },
    "neon-fleet",
    "program",
    false,
  );
  const seen: Registration[] = [];
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const type = req.getType().split(":").pop()!;
    const urn = `urn:pulumi:program::neon-fleet::${req.getType()}::${req.getName()}`;
    const aliases = req.getAliasesList().map((alias) => alias.getSpec()?.getName() ?? "");
    seen.push({ type, name: req.getName(), urn, dependencies: req.getDependenciesList(), aliases });
    return registerResource(req, callback);
  };
  const outputs = await registerFleet(fleet, { shard, exportConnections: false });
  // Registrations go out asynchronously; wait until every constructed resource has reached the monitor.
  const expected = 1 + 2 * outputs.tenants + (outputs.devBranches > 0 ? 2 + outputs.devBranches : 0);
  for (let i = 0; i < 250 && seen.length < expected; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return { outputs, seen };
}

function withBranches(fleet: Fleet, branches: Array<Pick<ResolvedDevBranch, "name" | "parent">>): Fleet {
  return { ...fleet, dev: { ...fleet.dev!, branches: branches.map((b) => ({ ...b, ttlSeconds: 3600 })) } };
}

describe("the stack program under Pulumi's mocks", () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await loadPlans(SMALL);
  });

  it("makes a dev branch depend on its parent branch, whatever the order in dev.yaml", async () => {
    const branches = [
      { name: "grandchild", parent: "child" },
      { name: "child", parent: "feature" },
      { name: "feature", parent: "main" },
    ];
    const { seen } = await register(withBranches(fleet, branches));

    const devBranches = seen.filter((r) => r.type === "DevBranch");
    const urnOf = (name: string) => devBranches.find((r) => r.name === name)!.urn;
    const branchDependencies = (name: string) =>
      devBranches.find((r) => r.name === name)!.dependencies.filter((urn) => urn.includes("DevBranch"));
    expect(devBranches.map((r) => r.name)).toEqual(["feature", "child", "grandchild"]);
    expect(branchDependencies("feature")).toEqual([]);
    expect(branchDependencies("child")).toEqual([urnOf("feature")]);
    expect(branchDependencies("grandchild")).toEqual([urnOf("child")]);
  });

  it("refuses dev branches that are each other's parents, naming the cycle", async () => {
    const branches = [
      { name: "a", parent: "b" },
      { name: "b", parent: "a" },
    ];
    await expect(register(withBranches(fleet, branches))).rejects.toMatchObject({
      name: "UsageError",
      message: "dev.yaml: branches a -> b -> a are each other's parents; break the cycle",
    });
  });

  it("gives a renamed tenant's project and quota an alias from each former id, and no one else any", async () => {
    const rename = { id: "acme-corp", formerIds: ["acme", "acme-old"] };
    const renamed = fleet.tenants.map((t) => (t.id === "acme" ? { ...t, ...rename } : t));
    const { seen } = await register({ ...fleet, tenants: renamed });

    const withAliases = seen
      .filter((r) => r.aliases.length > 0)
      .map((r) => `${r.type} ${r.name} <- ${r.aliases.join(", ")}`);
    expect(withAliases.sort()).toEqual([
      "PlanQuota acme-corp <- acme, acme-old",
      "TenantProject acme-corp <- acme, acme-old",
    ]);
  });

  it("registers only the tenants of its shard, and the dev project only in the stack of its region", async () => {
    const eu = await register(fleet, { names: new Set(["eu"]) });
    expect(eu.outputs).toMatchObject({ tenants: 1, tenantsByRegion: { "aws-eu-central-1": 1 }, devBranches: 0 });
    expect(eu.seen.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
      "PlanQuota globex",
      "RemovalBrake removal-brake",
      "TenantProject globex",
    ]);

    const us = await register(fleet, { names: new Set(["us"]) });
    expect(us.outputs).toMatchObject({ tenants: 2, tenantsByTier: { pro: 1, enterprise: 1 }, devBranches: 2 });
    expect(
      us.seen
        .filter((r) => r.type === "TenantProject")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["acme", "dev/fleet-dev", "initech"]);
  });

  it("registers the removal brake before anything else, with the count and digest of the shard's tenants", async () => {
    const { seen } = await register(fleet, { names: new Set(["us"]) });

    expect(`${seen[0]!.type} ${seen[0]!.name}`).toBe("RemovalBrake removal-brake");
    expect(seen.filter((r) => r.type === "RemovalBrake")).toHaveLength(1);
    const inputs = registeredInputs.get("removal-brake")!;
    expect(inputs.tenants).toBe(2);
    expect(decodeTenantDigest(inputs.digest as string)).toEqual(new Set(["acme", "initech"].map(tenantHash)));
  });
});
