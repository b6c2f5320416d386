import { createNeonClient } from "../../provider/neon";
import { requests, startRig, TEST_KEY, type Rig } from "./emulatorClient";

describe("creating tenant projects", () => {
  let rig: Rig;
  beforeAll(async () => {
    // Longer than the client's first guess of an operation's duration, so a waiting create has to learn it.
    rig = await startRig({ opMs: 1200 });
  });
  afterAll(() => rig.emulator.close());

  it("a create costs its POST alone and returns what the outputs need", async () => {
    const costs: number[] = [];
    for (const tenant of ["acme", "globex", "initech", "umbrella"]) {
      rig.emulator.resetStats();
      const created = await rig.client.createProject(
        { name: `tenant-${tenant}`, region_id: "aws-us-east-2", pg_version: 17 },
        { tenantId: tenant },
      );
      costs.push(requests(rig.emulator).total);
      expect(created.adopted).toBe(false);
      expect(created.project.name).toBe(`tenant-${tenant}`);
      expect(created.defaultBranchId).toMatch(/^br-/);
      expect(created.connectionUri).toContain(created.host);
      expect(created.pooledConnectionUri).toContain("-pooler");
    }
    expect(costs).toEqual([1, 1, 1, 1]);
  });

  it("a patch right after the create first waits for the create's operations, so it never meets Neon's 423", async () => {
    const created = await rig.client.createProject({ name: "tenant-wayne" }, { tenantId: "wayne" });
    rig.emulator.resetStats();
    const before = rig.client.counters().retries;
    const patched = await rig.client.updateProject(
      created.project.id,
      { settings: { quota: { compute_time_seconds: 360000 } } },
      { tenantId: "wayne" },
    );
    expect(patched.settings?.quota?.compute_time_seconds).toBe(360000);
    expect(rig.client.counters().retries).toBe(before);
    const byRoute = requests(rig.emulator).byRoute;
    expect(byRoute["PATCH /projects/{project_id}"]).toBe(1);
    expect(byRoute["GET /projects/{project_id}/operations/{operation_id}"]).toBeGreaterThan(0);
  });

  describe("with waitForReady", () => {
    const waiting = () =>
      createNeonClient(
        { apiKey: TEST_KEY, apiHost: rig.emulator.url },
        { ratePerMinute: 30_000, burstPerSecond: 500 },
        { waitForReady: true },
      );

    it("once the client has seen one operation, a create costs its POST and one poll", async () => {
      const client = waiting();
      const costs: number[] = [];
      for (const tenant of ["hooli", "pied-piper", "aviato", "raviga"]) {
        rig.emulator.resetStats();
        await client.createProject(
          { name: `tenant-${tenant}`, region_id: "aws-us-east-2", pg_version: 17 },
          { tenantId: tenant },
        );
        costs.push(requests(rig.emulator).total);
      }
      expect(costs[0]).toBeLessThanOrEqual(3);
      expect(costs.slice(1)).toEqual([2, 2, 2]);
    });

    it("the project is usable right after: a patch needs no retry for a running operation", async () => {
      const client = waiting();
      const created = await client.createProject({ name: "tenant-stark" }, { tenantId: "stark" });
      rig.emulator.resetStats();
      const before = client.counters().retries;
      await client.updateProject(
        created.project.id,
        { settings: { quota: { compute_time_seconds: 360000 } } },
        { tenantId: "stark" },
      );
      expect(client.counters().retries).toBe(before);
      expect(requests(rig.emulator).byRoute["PATCH /projects/{project_id}"]).toBe(1);
    });
  });
});
