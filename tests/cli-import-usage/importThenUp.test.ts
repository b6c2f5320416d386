import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { runEngine } from "../engine";
import { STORY_MS } from "../support/timeouts";
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
    const imported = await neonFleet([
      "import",
      "--api",
      emulator.url,
      "--plans",
      plans,
      "--out",
      path.join(plans, "tenants", "imported.yaml"),
    ]);
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

  it(
    "a hand-made project with odd settings gets a generated tier: import, then `up` patches nothing",
    async () => {
      const odd = {
        settings: {
          quota: {
            active_time_seconds: 0,
            compute_time_seconds: 151200,
            logical_size_bytes: 3 * 2 ** 30,
            data_transfer_bytes: 0,
            written_data_bytes: 7 * 10 ** 9,
          },
        },
        default_endpoint_settings: {
          autoscaling_limit_min_cu: 0.5,
          autoscaling_limit_max_cu: 3,
          suspend_timeout_seconds: 900,
        },
      };
      // An account of its own: the projects of the story above would need tiers of their own too.
      const emulator = await startEmulator({ apiKey: KEY, opMs: 15, ratePerMinute: 60_000, burstPerSecond: 1_000 });
      try {
        const [shop] = await existingProjects(emulator, [{ name: "tenant-shop", ...odd }]);
        const plans = await copyOfPlans();
        await writeFile(path.join(plans, "tenants", "customers.yaml"), "tenants: []\n");
        const out = path.join(plans, "tenants", "imported.yaml");
        const imported = await neonFleet(["import", "--api", emulator.url, "--plans", plans, "--out", out]);
        expect(imported.code).toBe(0);
        expect(imported.stderr).toContain("tiers imported-1 (1) added to tiers.yaml");
        const tiers = await readFile(path.join(plans, "tiers.yaml"), "utf8");
        expect(tiers).toContain("  free:\n    compute: { min: 0.25, max: 0.25 }\n");
        expect(tiers).toContain(
          "  imported-1:\n    compute: { min: 0.5, max: 3 }\n    suspendAfter: 15m\n    computeTime: 42h\n    activeTime: " +
            "unlimited\n    storage: 3GiB\n    dataTransfer: unlimited\n    writtenData: 7GB\n",
        );
        expect(await readFile(path.join(plans, "tenants", "imported.yaml"), "utf8")).toContain("tier: imported-1\n");
        type Read = { project: Record<string, unknown> };
        const read = async (): Promise<Read> =>
          (await (
            await fetch(`${emulator.url}/projects/${shop}`, { headers: { authorization: `Bearer ${KEY}` } })
          ).json()) as Read;
        const before = await read();

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
        const mutations = Object.keys(emulator.stats().requests.byRoute).filter((route) => !route.startsWith("GET "));
        expect(mutations).toEqual([]);
        const after = await read();
        const settings = (p: Read) => [p.project.settings, p.project.default_endpoint_settings];
        expect(settings(after)).toEqual(settings(before));
      } finally {
        await emulator.close();
      }
    },
    STORY_MS,
  );
});
