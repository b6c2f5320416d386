import type { ProjectListItem } from "@neondatabase/api-client";
import { fleetWorld, stepOps, type FleetWorld } from "./fleetWorld";

/**
 * Tiers that live in organizations (tests/fixtures/fleet/organizations: 20 tenants t01..t20 on tier free, which
 * lives in org-free; tier pro lives in org-paid). Re-tiering a tenant across organizations transfers its project
 * in place: same id, same connection string, the new tier's quota and computes, in few transfer calls.
 */
const STORY_MS = 240_000;
const TRANSFER = "POST /organizations/{source_org_id}/projects/transfer";
const ids = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `t${String(from + i).padStart(2, "0")}`);

describe("a tenant re-tiered into another organization", () => {
  let world: FleetWorld;
  /** Project id of each tenant after the first up. */
  const projectIds = new Map<string, string>();

  const retier = (tenants: string[]) =>
    world.editPlan("tenants/customers.yaml", (text) =>
      tenants.reduce((t, id) => t.replace(`{ id: ${id}, tier: free }`, `{ id: ${id}, tier: pro }`), text),
    );
  const inOrg = async (orgId: string): Promise<ProjectListItem[]> =>
    (await world.api<{ projects: ProjectListItem[] }>("GET", `/projects?limit=400&org_id=${orgId}`)).projects;
  const tenantsIn = async (orgId: string): Promise<string[]> =>
    (await inOrg(orgId)).map((p) => p.name.replace("tenant-", "")).sort();

  beforeAll(async () => {
    world = await fleetWorld("organizations");
    const first = await world.run("up");
    expect(first.failures).toEqual([]);
    for (const project of await inOrg("org-free")) projectIds.set(project.name.replace("tenant-", ""), project.id);
  }, STORY_MS);
  afterAll(async () => world.close());

  it("starts with the 20 tenants in org-free", async () => {
    expect(await tenantsIn("org-free")).toEqual(ids(1, 20));
    expect(await tenantsIn("org-paid")).toEqual([]);
  });

  it(
    "preview shows 10 org updates and no replace; up moves them in 1 transfer call, keeping ids and connection strings",
    async () => {
      retier(ids(1, 10));
      const uriBefore = (
        await world.api<{ uri: string }>(
          "GET",
          `/projects/${projectIds.get("t01")}/connection_uri?role_name=neondb_owner&database_name=neondb`,
        )
      ).uri;

      const preview = await world.run("preview");
      const tenantOps = Object.fromEntries(
        Object.entries(stepOps(preview, "TenantProject")).filter(([, op]) => op !== "same"),
      );
      expect(tenantOps).toEqual(Object.fromEntries(ids(1, 10).map((id) => [id, "update"])));
      const t01 = preview.preview.steps.find((s) => s.urn.endsWith("TenantProject::t01"))!;
      expect([t01.oldState?.inputs?.org, t01.newState?.inputs?.org]).toEqual(["org-free", "org-paid"]);

      world.emulator.resetStats();
      const up = await world.run("up");

      expect(up.failures).toEqual([]);
      expect(world.emulator.stats().requests.byRoute[TRANSFER]).toBe(1);
      expect(world.emulator.stats().requests.byRoute["POST /projects"]).toBeUndefined();
      expect(world.emulator.stats().requests.byRoute["DELETE /projects/{project_id}"]).toBeUndefined();
      const paid = await inOrg("org-paid");
      expect(paid.map((p) => p.name.replace("tenant-", "")).sort()).toEqual(ids(1, 10));
      for (const project of paid) expect(project.id).toBe(projectIds.get(project.name.replace("tenant-", "")));
      expect(await tenantsIn("org-free")).toEqual(ids(11, 20));
      const t01Project = paid.find((p) => p.name === "tenant-t01")!;
      expect(t01Project.settings?.quota?.compute_time_seconds).toBe(750 * 3600);
      expect(
        (await world.endpoints(t01Project.id)).map((e) => [e.autoscaling_limit_max_cu, e.suspend_timeout_seconds]),
      ).toEqual([[2, -1]]);
      const uriAfter = (
        await world.api<{ uri: string }>(
          "GET",
          `/projects/${t01Project.id}/connection_uri?role_name=neondb_owner&database_name=neondb`,
        )
      ).uri;
      expect(uriAfter).toBe(uriBefore);

      world.emulator.resetStats();
      expect((await world.run("up")).failures).toEqual([]);
      expect(world.mutations()).toBe(0);
    },
    STORY_MS,
  );

  it(
    "a destination too small fails the tenants that do not fit, explained (with --continue-on-error), and the next up after the limit is raised completes the move",
    async () => {
      world.emulator.setOrgLimit("org-paid", 13);
      retier(ids(11, 15));

      // --continue-on-error: the tenants that fit must carry on although others fail.
      const up = await world.run("up", {}, { continueOnError: true });

      const failed = up.failures
        .map((f) => /TenantProject::(t\d+)/.exec(f.urn)?.[1])
        .filter(Boolean)
        .sort();
      expect(failed).toEqual(["t14", "t15"]);
      const message = up.failures.find((f) => f.urn.endsWith("TenantProject::t14"))!.message;
      expect(message).toContain("tenant t14");
      expect(message).toContain(`project ${projectIds.get("t14")} from org-free to org-paid`);
      expect(message).toMatch(/406.*projects_count: limit 13, would be 15/);
      const free = await tenantsIn("org-free");
      const paid = await tenantsIn("org-paid");
      expect(paid).toEqual(ids(1, 13));
      expect(free).toEqual(ids(14, 20));
      expect((await world.projects()).map((p) => p.id).sort()).toEqual([...projectIds.values()].sort());
      const t14 = (await inOrg("org-free")).find((p) => p.name === "tenant-t14")!;
      expect(t14.settings?.quota?.compute_time_seconds).toBe(100 * 3600);

      world.emulator.setOrgLimit("org-paid", undefined);
      world.emulator.resetStats();
      const again = await world.run("up");

      expect(again.failures).toEqual([]);
      expect(world.emulator.stats().requests.byRoute[TRANSFER]).toBe(1);
      expect(await tenantsIn("org-paid")).toEqual(ids(1, 15));
      expect(await tenantsIn("org-free")).toEqual(ids(16, 20));
      const movedLate = (await inOrg("org-paid")).find((p) => p.name === "tenant-t14")!;
      expect(movedLate.id).toBe(projectIds.get("t14"));
      expect(movedLate.settings?.quota?.compute_time_seconds).toBe(750 * 3600);
    },
    STORY_MS,
  );
});
