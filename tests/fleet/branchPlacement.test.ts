import type { Branch, Endpoint } from "@neondatabase/api-client";
import { parsePreviewDocument, readFleetChanges, renderSummary } from "../../tools/summarize";
import { fleetWorld, stepOps, type FleetWorld } from "./fleetWorld";

/**
 * Branch placement (tests/fixtures/fleet/branches): tier free is `placement: branch` with `branchesPerProject: 4`,
 * ten free tenants (onRemove: delete) and two pro tenants with projects of their own.
 */
const STORY_MS = 240_000;
const TEMPLATE = "tenant-template-free-aws-us-east-2-";

describe("tenants placed as branches of template projects", () => {
  let world: FleetWorld;

  /** Tenant id -> the name of the template project holding its branch, read from Neon. */
  const placements = async (): Promise<Record<string, string>> => {
    const placed: Record<string, string> = {};
    for (const project of (await world.projects()).filter((p) => p.name.startsWith(TEMPLATE))) {
      const { branches } = await world.api<{ branches: Branch[] }>("GET", `/projects/${project.id}/branches`);
      for (const branch of branches.filter((b) => !b.default)) placed[branch.name] = project.name;
    }
    return placed;
  };
  const countsOf = (placed: Record<string, string>): number[] => {
    const counts: Record<string, number> = {};
    for (const template of Object.values(placed)) counts[template] = (counts[template] ?? 0) + 1;
    return Object.values(counts).sort((a, b) => b - a);
  };

  beforeAll(async () => {
    world = await fleetWorld("branches");
  });
  afterAll(async () => world.close());

  it(
    "puts ten free tenants in ceil(10/4) = 3 template projects (4/4/2), each with its own endpoint",
    async () => {
      const result = await world.run("up");

      expect(result.failures).toEqual([]);
      const names = (await world.projects()).map((p) => p.name).sort();
      expect(names).toEqual(["tenant-pro-1", "tenant-pro-2", `${TEMPLATE}1`, `${TEMPLATE}2`, `${TEMPLATE}3`]);
      const placed = await placements();
      const freeIds = Array.from({ length: 10 }, (_, i) => `free-${String(i + 1).padStart(2, "0")}`);
      expect(Object.keys(placed).sort()).toEqual(freeIds);
      expect(countsOf(placed)).toEqual([4, 4, 2]);
      const template = await world.project(`${TEMPLATE}1`);
      const { branches } = await world.api<{ branches: Branch[] }>("GET", `/projects/${template.id}/branches`);
      const endpoints: Endpoint[] = await world.endpoints(template.id);
      for (const branch of branches.filter((b) => !b.default)) {
        const own = endpoints.filter((e) => e.branch_id === branch.id);
        const settings = own.map((e) => [
          e.type,
          e.autoscaling_limit_min_cu,
          e.autoscaling_limit_max_cu,
          e.suspend_timeout_seconds,
        ]);
        expect(settings).toEqual([["read_write", 0.25, 0.25, 300]]);
      }
      expect(result.outputs).toMatchObject({ tenantsByPlacement: { branch: 10, project: 2 }, templateProjects: 3 });
      const summary = renderSummary(readFleetChanges(parsePreviewDocument(JSON.stringify(result.preview), "preview")));
      expect(summary).toContain("Placement: 10 branch (of template projects), 2 project");
      expect(summary).toMatch(/^\*\*neon-fleet preview: 12 to create, 3 template projects to create\*\*/);
    },
    STORY_MS,
  );

  it(
    "removing two tenants and adding two more moves no remaining tenant",
    async () => {
      const before = await placements();
      world.editPlan("tenants/customers.yaml", (text) =>
        text
          .replace("  - id: free-01\n    onRemove: delete\n", "")
          .replace("  - id: free-06\n    onRemove: delete\n", "")
          .concat("  - id: free-11\n  - id: free-12\n"),
      );

      const result = await world.run("up");

      expect(result.failures).toEqual([]);
      const after = await placements();
      const { "free-01": _gone1, "free-06": _gone6, ...remaining } = before;
      for (const [tenant, template] of Object.entries(remaining)) {
        expect([tenant, after[tenant]]).toEqual([tenant, template]);
      }
      expect(after["free-01"]).toBeUndefined();
      expect(after["free-06"]).toBeUndefined();
      expect(after["free-11"]).toMatch(new RegExp(`^${TEMPLATE}[123]$`));
      expect(after["free-12"]).toMatch(new RegExp(`^${TEMPLATE}[123]$`));
      expect(Math.max(...countsOf(after))).toBeLessThanOrEqual(4);
      expect(stepOps(result, "TenantProject")).toMatchObject({ "free-01": "delete", "free-11": "create" });
    },
    STORY_MS,
  );

  it(
    "a free -> pro tier change is refused naming both placements, and the tenant's branch stays",
    async () => {
      const before = await placements();
      const toPro = (text: string): string => text.replace("  - id: free-02\n", "  - id: free-02\n    tier: pro\n");
      world.editPlan("tenants/customers.yaml", toPro);

      const result = await world.run("up");

      expect(result.failures).toEqual([]);
      expect(stepOps(result, "TenantProject")["free-02"]).toBe("update");
      const changes = readFleetChanges(parsePreviewDocument(JSON.stringify(result.preview), "preview"));
      const refused = changes.tenants.find((t) => t.id === "free-02");
      expect(refused?.action).toBe("refused");
      expect(refused?.refusal).toMatch(
        new RegExp(
          '^tenant free-02: changing placement "branch of a free template project in aws-us-east-2" -> ' +
            '"own project \\(tier pro\\) in aws-us-east-2"',
        ),
      );
      expect((await placements())["free-02"]).toBe(before["free-02"]);
      expect((await world.projects()).some((p) => p.name === "tenant-free-02")).toBe(false);
    },
    STORY_MS,
  );

  it(
    "a re-tier between branch tiers patches the tenant's own endpoint",
    async () => {
      const toHobby = (text: string): string => text.replace("  - id: free-03\n", "  - id: free-03\n    tier: hobby\n");
      world.editPlan("tenants/customers.yaml", toHobby);

      const result = await world.run("up");

      expect(result.failures).toEqual([]);
      const placed = await placements();
      const template = await world.project(placed["free-03"]);
      const { branches } = await world.api<{ branches: Branch[] }>("GET", `/projects/${template.id}/branches`);
      const branch = branches.find((b) => b.name === "free-03");
      const endpoint = (await world.endpoints(template.id)).find((e) => e.branch_id === branch?.id);
      expect([endpoint?.autoscaling_limit_max_cu, endpoint?.suspend_timeout_seconds]).toEqual([1, 600]);
    },
    STORY_MS,
  );

  it(
    "refresh sees a tenant branch deleted outside as gone, and the next up creates it again",
    async () => {
      const template = await world.project((await placements())["free-04"]);
      const { branches } = await world.api<{ branches: Branch[] }>("GET", `/projects/${template.id}/branches`);
      const deleted = branches.find((b) => b.name === "free-04");
      await world.api("DELETE", `/projects/${template.id}/branches/${deleted?.id}`);
      await new Promise((resolve) => setTimeout(resolve, 100)); // the delete's operation (15 ms here) settles

      const refreshed = await world.run("refresh");
      const result = await world.run("up");

      expect(refreshed.failures).toEqual([]);
      expect(result.failures).toEqual([]);
      expect(stepOps(result, "TenantProject")["free-04"]).toBe("create");
      expect((await placements())["free-04"]).toMatch(new RegExp(`^${TEMPLATE}[123]$`));
    },
    STORY_MS,
  );

  it(
    "a branch tier with a finite computeTime stops the run with a FILE:LINE:COL error saying why",
    async () => {
      world.editPlan("tiers.yaml", (text) => text.replace("computeTime: unlimited", "computeTime: 100h"));
      world.emulator.resetStats();

      const result = await world.run("preview");

      expect(result.ok).toBe(false);
      expect(result.stderr).toMatch(/tiers\.yaml:7:18: tier free: computeTime must be unlimited on a branch tier: /);
      expect(result.stderr).toMatch(/would suspend every tenant of that project; .*sharedQuota: true/);
      expect(world.emulator.stats().requests.total).toBe(0);
    },
    STORY_MS,
  );
});
