import { NeonApiError } from "../../provider/errors";
import { createNeonClient } from "../../provider/neon";
import { TEST_KEY, inParallel, requests, startRig } from "./emulatorClient";

describe("surviving Neon's failures", () => {
  it("two changes to one project from one process go one after the other, without meeting a 423", async () => {
    const rig = await startRig({ opMs: 300 });
    try {
      const { project } = await rig.client.createProject({ name: "tenant-queued" }, {});
      const [endpoint] = await rig.client.listEndpoints(project.id, {});
      rig.emulator.resetStats();
      const lockedBefore = rig.client.counters().locked;
      await Promise.all([
        rig.client.updateEndpoint(project.id, endpoint.id, { autoscaling_limit_max_cu: 2 }, {}),
        rig.client.updateEndpoint(project.id, endpoint.id, { suspend_timeout_seconds: 600 }, {}),
      ]);
      expect(requests(rig.emulator).byRoute["PATCH /projects/{project_id}/endpoints/{endpoint_id}"]).toBe(2);
      expect(rig.client.counters().locked - lockedBefore).toBe(0);
      const [live] = await rig.client.listEndpoints(project.id, {});
      expect([live.autoscaling_limit_max_cu, live.suspend_timeout_seconds]).toEqual([2, 600]);
    } finally {
      await rig.emulator.close();
    }
  });

  it("a change to a project busy with another process's change waits out the 423 instead of failing", async () => {
    const rig = await startRig({ opMs: 300 });
    const tuning = { ratePerMinute: 30_000, burstPerSecond: 500 };
    const otherProcess = createNeonClient({ apiKey: TEST_KEY, apiHost: rig.emulator.url }, tuning);
    try {
      const { project } = await rig.client.createProject({ name: "tenant-busy" }, {});
      const [endpoint] = await rig.client.listEndpoints(project.id, {});
      rig.emulator.resetStats();
      await Promise.all([
        rig.client.updateEndpoint(
          project.id,
          endpoint.id,
          { autoscaling_limit_min_cu: 0.25, autoscaling_limit_max_cu: 2 },
          {},
        ),
        otherProcess.updateEndpoint(project.id, endpoint.id, { suspend_timeout_seconds: 600 }, {}),
      ]);
      // The second patch met the first one's running operation (423) at least once and was sent again.
      expect(requests(rig.emulator).byRoute["PATCH /projects/{project_id}/endpoints/{endpoint_id}"]).toBeGreaterThan(2);
      const [live] = await rig.client.listEndpoints(project.id, {});
      expect([live.autoscaling_limit_max_cu, live.suspend_timeout_seconds]).toEqual([2, 600]);
    } finally {
      await rig.emulator.close();
    }
  });

  it("onboarding 100 tenants through 503s and cut connections yields exactly 100 projects, no duplicates", async () => {
    // The emulator's 503 comes before any change and a drop lands at once: a short settle window covers both.
    const rig = await startRig({ opMs: 20, faults: { http503: 0.05, drop: 0.02 } }, { createSettleMs: 1_500 });
    try {
      const names = Array.from({ length: 100 }, (_, i) => `tenant-t${i}`);
      const created = await inParallel(names, 16, (name) => rig.client.createProject({ name }, { tenantId: name }));
      expect(rig.emulator.stats().projects).toBe(100);
      expect(new Set(created.map((c) => c.project.id)).size).toBe(100);
      expect(created.map((c) => c.project.name)).toEqual(names);
      expect(rig.client.counters().retries).toBeGreaterThan(0);
    } finally {
      await rig.emulator.close();
    }
  });

  it("with waitForReady, an operation that outlasts the wait fails naming the operation and the project", async () => {
    const rig = await startRig({ opMs: 5_000 }, { operationTimeoutMs: 300 }, { waitForReady: true });
    try {
      const failure = await rig.client
        .createProject({ name: "tenant-slow" }, { tenantId: "slow" })
        .catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(NeonApiError);
      const message = (failure as NeonApiError).message;
      expect(message).toMatch(
        /^tenant slow: GET \/projects\/[a-z0-9-]+\/operations\/[a-z0-9-]+ .*operation start_compute [a-z0-9-]+ on project [a-z0-9-]+ did not finish within 300ms/,
      );
      expect(message).toContain("NEON_FLEET_OP_TIMEOUT_MS");
    } finally {
      await rig.emulator.close();
    }
  });
});
