import { createNeonClient } from "../../provider/neon";
import { ProjectQueue } from "../../provider/neon/projectQueue";
import { TEST_KEY, requests, startRig } from "./emulatorClient";

describe("one mutation in flight per project", () => {
  it("runs one project's tasks one at a time, in arrival order, and other projects' beside them", async () => {
    const queue = new ProjectQueue();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(`end ${name}`);
    };
    await Promise.all([queue.run("p1", task("a", 30)), queue.run("p1", task("b", 1)), queue.run("p2", task("c", 1))]);
    expect(log.indexOf("end a")).toBeLessThan(log.indexOf("start b"));
    expect(log.indexOf("start c")).toBeLessThan(log.indexOf("end a"));
  });

  it("goes on with the next task when one fails", async () => {
    const queue = new ProjectQueue();
    const failing = queue.run("p1", async () => {
      throw new Error("boom");
    });
    const next = queue.run("p1", async () => "next ran");
    await expect(failing).rejects.toThrow("boom");
    await expect(next).resolves.toBe("next ran");
    expect(queue.queued("p1")).toBe(0);
  });

  it("creates 12 branches of one project with one request each and no 423, polling to learn and to end", async () => {
    const rig = await startRig({ opMs: 100 });
    try {
      const tuning = { ratePerMinute: 30_000, burstPerSecond: 500 };
      // The template project is ready (its creator waited) before this process, new to it, sends branches.
      const creator = createNeonClient({ apiKey: TEST_KEY, apiHost: rig.emulator.url }, tuning, { waitForReady: true });
      const { project, defaultBranchId } = await creator.createProject({ name: "tenant-template" }, {});
      rig.emulator.resetStats();
      const client = createNeonClient({ apiKey: TEST_KEY, apiHost: rig.emulator.url }, tuning);
      const names = Array.from({ length: 12 }, (_, i) => `tenant-${i}`);
      const created = await Promise.all(
        names.map((name) => {
          const spec = { name, parentId: defaultBranchId, endpoint: { autoscaling_limit_max_cu: 0.5 } };
          return client.createBranch(project.id, spec, {});
        }),
      );
      expect(created.map((c) => c.branch.name)).toEqual(names);
      expect(created.every((c) => c.pooledConnectionUri !== undefined)).toBe(true);
      const byRoute = requests(rig.emulator).byRoute;
      expect(byRoute["POST /projects/{project_id}/branches"]).toBe(12);
      // The first create polls to learn how long its operations take, the last one polls so the run ends settled.
      expect(byRoute["GET /projects/{project_id}/operations/{operation_id}"]).toBeLessThanOrEqual(3);
      expect(client.counters().locked).toBe(0);
    } finally {
      await rig.emulator.close();
    }
  });
});
