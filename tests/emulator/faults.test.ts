import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseFaults } from "../../emulator/faults";
import { EmulatorError } from "../../emulator/errors";
import { checkedClient, startTestEmulator, statusOf } from "./support/harness";

describe("injected faults", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "neon-fleet-faults-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads --faults specs, latency in `20ms` or `20`, and refuses anything else with a one-line usage error", () => {
    expect(parseFaults("503=0.05,drop=0.02,latency=20ms")).toEqual({ http503: 0.05, drop: 0.02, latencyMs: 20 });
    expect(parseFaults("latency=20")).toEqual({ latencyMs: 20 });
    for (const bad of ["503=2", "drop=", "latency=fast", "jitter=5", "late=1.5", "late-ms=soon"]) {
      expect(() => parseFaults(bad)).toThrow(EmulatorError);
    }
  });

  it("answers roughly the configured share of requests with 503, before doing anything", async () => {
    const emulator = await startTestEmulator({ faults: { http503: 0.3 } });
    const neon = checkedClient(emulator);
    const statuses: (number | undefined)[] = [];
    for (let batch = 0; batch < 8; batch++) {
      statuses.push(...(await Promise.all(Array.from({ length: 50 }, () => statusOf(neon.api.listProjects({}))))));
    }
    const share = statuses.filter((s) => s === 503).length / statuses.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.4);
    expect(statuses.every((s) => s === undefined || s === 503)).toBe(true);
    expect(neon.violations()).toEqual([]);
    await emulator.close();

    const always = await startTestEmulator({ faults: { http503: 1 } });
    expect(await statusOf(checkedClient(always).api.createProject({ project: { name: "tenant-never" } }))).toBe(503);
    expect(always.stats().projects).toBe(0);
    await always.close();
  });

  it("late answers a change 504 at once and lands it afterwards, as behind a gateway that timed out", async () => {
    expect(parseFaults("late=0.5,late-ms=200")).toEqual({ late: 0.5, lateMs: 200 });
    expect(() => parseFaults("late=1.5")).toThrow("--faults: late=1.5 must be a probability from 0 to 1");
    const emulator = await startTestEmulator({ faults: { late: 1, lateMs: 300 } });
    const neon = checkedClient(emulator);
    expect(await statusOf(neon.api.createProject({ project: { name: "tenant-late" } }))).toBe(504);
    expect(emulator.stats().projects).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const { data } = await neon.api.listProjects({ search: "tenant-late" });
    expect(data.projects.map((p) => p.name)).toEqual(["tenant-late"]);
    expect(neon.violations()).toEqual([]);
    await emulator.close();
  });

  it("drop commits the change, then cuts the connection without an answer", async () => {
    const stateFile = join(dir, "drop.json");
    const dropping = await startTestEmulator({ faults: { drop: 1 }, stateFile });
    const failure = await checkedClient(dropping)
      .api.createProject({ project: { name: "tenant-ambiguous" } })
      .catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: expect.stringMatching(/ECONNRESET|ERR_SOCKET|ECONNABORTED/) });
    expect((failure as { response?: unknown }).response).toBeUndefined();
    await dropping.close();

    const healthy = await startTestEmulator({ stateFile });
    const { data } = await checkedClient(healthy).api.listProjects({ search: "tenant-ambiguous" });
    expect(data.projects.map((p) => p.name)).toEqual(["tenant-ambiguous"]);
    await healthy.close();
  });
});
