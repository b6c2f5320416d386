import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { runEngine } from "../engine";
import { copyOfPlans, existingProjects, KEY, neonFleet, TIER_SETTINGS } from "./support";

describe("an imported fleet comes under management without a single new project", () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ apiKey: KEY, opMs: 15, ratePerMinute: 60_000, burstPerSecond: 1_000 });
  });
  afterAll(() => emulator.close());

  it("import, then `up` adopts every project: no POST /projects, the same projects after", async () => {
    await existingProjects(emulator, [
      // The plans' own tenants, made before the fleet was managed: found by their deterministic names.
      { name: "tenant-acme", ...TIER_SETTINGS.free },
      { name: "tenant-globex", ...TIER_SETTINGS.pro },
      { name: "tenant-initech", ...TIER_SETTINGS.free },
      { name: "tenant-umbrella", ...TIER_SETTINGS.pro },
      // Projects nobody wrote plans for: import turns them into adopt: tenants.
      { name: "legacy_db", region_id: "aws-us-east-1", ...TIER_SETTINGS.free },
      { name: "tenant-Big Corp!", region_id: "aws-eu-central-1", ...TIER_SETTINGS.pro },
    ]);
    const plans = await copyOfPlans();
    const imported = await neonFleet(["import", "--api", emulator.url, "--plans", plans, "--out", path.join(plans, "tenants", "imported.yaml")]);
    expect(imported.code).toBe(0);

    emulator.resetStats();
    const result = await runEngine({
      command: "up",
      plansDir: plans,
      stateFile: path.join(await mkdtemp(path.join(tmpdir(), "neon-fleet-import-")), "state.json"),
      apiUrl: emulator.url,
      apiKey: KEY,
      env: { NEON_FLEET_RATE: "60000", NEON_FLEET_BURST: "1000" },
    });
    expect(result.failures).toEqual([]);
    expect(result.ok).toBe(true);
    expect(emulator.stats().requests.byRoute["POST /projects"]).toBeUndefined();
    expect(emulator.stats().projects).toBe(6);
  });
});
