import { requests, startRig, type Rig } from "./emulatorClient";

describe("creating tenant projects", () => {
  let rig: Rig;
  beforeAll(async () => {
    // Longer than the client's first guess of an operation's duration, so the first create has to learn it.
    rig = await startRig({ opMs: 1200 });
  });
  afterAll(() => rig.emulator.close());

  it("once the client has seen one operation, a create costs its POST and one poll, and returns what the outputs need", async () => {
    const costs: number[] = [];
    for (const tenant of ["acme", "globex", "initech", "umbrella"]) {
      rig.emulator.resetStats();
      const created = await rig.client.createProject({ name: `tenant-${tenant}`, region_id: "aws-us-east-2", pg_version: 17 }, { tenantId: tenant });
      costs.push(requests(rig.emulator).total);
      expect(created.adopted).toBe(false);
      expect(created.project.name).toBe(`tenant-${tenant}`);
      expect(created.defaultBranchId).toMatch(/^br-/);
      expect(created.connectionUri).toContain(created.host);
      expect(created.pooledConnectionUri).toContain("-pooler");
    }
    expect(costs[0]).toBeLessThanOrEqual(3);
    expect(costs.slice(1)).toEqual([2, 2, 2]);
  });

  it("the project is usable right after: a patch needs no retry for a running operation", async () => {
    const created = await rig.client.createProject({ name: "tenant-stark" }, { tenantId: "stark" });
    rig.emulator.resetStats();
    const before = rig.client.counters().retries;
    await rig.client.updateProject(created.project.id, { settings: { quota: { compute_time_seconds: 360000 } } }, { tenantId: "stark" });
    expect(rig.client.counters().retries).toBe(before);
    expect(requests(rig.emulator).byRoute["PATCH /projects/{project_id}"]).toBe(1);
  });
});
