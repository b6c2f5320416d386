import type { Branch } from "@neondatabase/api-client";
import { parsePreviewDocument, readFleetChanges, renderSummary } from "../../tools/summarize";
import { fleetWorld, stepOps, type FleetWorld } from "./fleetWorld";
import { STORY_MS } from "../support/timeouts";

/**
 * Renaming a tenant (tests/fixtures/fleet/rename: acme pro with onRemove: delete, globex free): through
 * `formerIds` the tenant keeps its project; through `adopt:` of the old tenant's project it is refused.
 */
describe("renaming a tenant", () => {
  let world: FleetWorld;
  const summaryOf = (preview: unknown): string =>
    renderSummary(readFleetChanges(parsePreviewDocument(JSON.stringify(preview), "preview")));

  beforeEach(async () => {
    world = await fleetWorld("rename");
    expect((await world.run("up")).failures).toEqual([]);
  }, STORY_MS);
  afterEach(async () => world.close());

  it(
    "a rename through formerIds keeps the project, its id and its data: one PATCH, no delete, no create",
    async () => {
      const before = await world.project("tenant-acme");
      await world.api("POST", `/projects/${before.id}/branches`, { branch: { name: "orders" } });
      const rename = (text: string): string => text.replace("- id: acme\n", "- id: acme-corp\n    formerIds: [acme]\n");
      world.editPlan("tenants/customers.yaml", rename);

      const preview = await world.run("preview");
      expect(preview.failures).toEqual([]);
      expect(summaryOf(preview.preview)).toContain("renamed acme -> acme-corp");
      expect(summaryOf(preview.preview)).not.toMatch(/delete|to create/);
      world.emulator.resetStats();
      const result = await world.run("up");

      expect(result.failures).toEqual([]);
      expect(stepOps(result, "TenantProject")).toMatchObject({ "acme-corp": "update" });
      expect(stepOps(result, "TenantProject")).not.toHaveProperty("acme");
      const byRoute = world.emulator.stats().requests.byRoute;
      expect(byRoute["PATCH /projects/{project_id}"]).toBe(1);
      expect(byRoute["DELETE /projects/{project_id}"]).toBeUndefined();
      expect(byRoute["POST /projects"]).toBeUndefined();
      const after = await world.project("tenant-acme-corp");
      expect(after.id).toBe(before.id);
      const branches = (await world.api<{ branches: Branch[] }>("GET", `/projects/${after.id}/branches`)).branches;
      expect(branches.map((b) => b.name)).toContain("orders");
      const next = await world.run("preview");
      const ops = Object.values({ ...stepOps(next, "TenantProject"), ...stepOps(next, "PlanQuota") });
      expect(new Set(ops)).toEqual(new Set(["same"]));
    },
    STORY_MS,
  );

  it(
    "adopting a removed tenant's project (onRemove: delete) in the same change is refused, deleting nothing",
    async () => {
      const acme = await world.project("tenant-acme");
      world.editPlan("tenants/customers.yaml", (text) =>
        text.replace("- id: acme\n", `- id: acme-corp\n    adopt: ${acme.id}\n`),
      );

      const preview = await world.run("preview");
      expect(summaryOf(preview.preview)).toContain(
        "**acme-corp** adopts the project of removed tenant acme: refused at up; write `formerIds: [acme]`",
      );
      const result = await world.run("up");

      expect(result.failures.map((f) => f.message)).toEqual([
        `tenant acme-corp: adopt: project ${acme.id} (tenant-acme) is removed tenant acme's, which onRemove: delete ` +
          "would delete after the adoption; to rename acme, write formerIds: [acme] instead of adopt (or rename the " +
          "project in Neon first to take over what it left)",
      ]);
      expect(await world.project("tenant-acme")).toMatchObject({ id: acme.id });
      expect(world.emulator.stats().requests.byRoute["DELETE /projects/{project_id}"]).toBeUndefined();
    },
    STORY_MS,
  );
});
