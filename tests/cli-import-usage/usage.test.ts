import { startEmulator, type RunningEmulator } from "../../emulator";
import { existingProjects, FIXTURE_PLANS, KEY, neonFleet, setConsumption, TIER_SETTINGS } from "./support";

const GiB = 1024 ** 3;

describe("watching tenants approach their quotas with `neon-fleet usage`", () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ apiKey: KEY, opMs: 0 });
    const [acme, globex, umbrella] = await existingProjects(emulator, [
      { name: "tenant-acme", ...TIER_SETTINGS.free },
      { name: "tenant-globex", ...TIER_SETTINGS.pro },
      { name: "tenant-umbrella", ...TIER_SETTINGS.pro },
      { name: "someone-elses-project" },
    ]);
    // acme (free, 100h of compute) used 120h; umbrella (pro with 20GiB storage) holds 18GiB; globex is quiet but for its traffic.
    await setConsumption(emulator, acme, { compute_time_seconds: 120 * 3600, written_data_bytes: 0.25 * GiB });
    await setConsumption(emulator, umbrella, { compute_time_seconds: 30 * 3600, logical_size_bytes: 18 * GiB });
    await setConsumption(emulator, globex, { compute_time_seconds: 75 * 3600, data_transfer_bytes: 45 * GiB });
  });
  afterAll(() => emulator.close());

  it("the table lists the tenant at 120% and the one at 90% before the others, and suggests a tier for the one over", async () => {
    const run = await neonFleet(["usage", FIXTURE_PLANS, "--api", emulator.url]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    const lines = run.stdout.split("\n");
    expect(lines[0]).toMatch(/^usage \d{4}-\d{2}-01\.\.\d{4}-\d{2}-\d{2}: 4 tenants, 2 at or over 80% of a limit$/);
    const rows = lines.slice(3, 7);
    expect(rows.map((r) => r.split(/\s+/)[0])).toEqual(["acme", "umbrella", "globex", "initech"]);
    expect(rows[0]).toMatch(
      /^acme\s+free\s+120h\/100h 120%\s+0h\/unlimited\s+256MiB\/1GiB 25%\s+n\/a\s+0B\/512MiB 0%\s+120%\s+move to pro$/,
    );
    expect(rows[1]).toMatch(/^umbrella\s+pro \(custom\)\s+30h\/750h 4%.*18GiB\/20GiB 90%\s+90%$/);
    expect(rows[2]).toMatch(/^globex\s+pro\s+75h\/750h 10%/);
    expect(rows[3]).toMatch(/^initech\s+free\s+-.*no project$/);
    expect(run.stdout).toContain("run with --transfer");
  });

  it("--json with --transfer gives dashboards every figure, data transfer included", async () => {
    const run = await neonFleet(["usage", FIXTURE_PLANS, "--api", emulator.url, "--json", "--transfer"]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    const report = JSON.parse(run.stdout);
    expect(report.dataTransferMeasured).toBe(true);
    expect(report.tenants.map((t: { tenant: string }) => t.tenant)).toEqual(["acme", "globex", "umbrella", "initech"]);
    expect(report.tenants[1]).toMatchObject({
      tier: "pro",
      peakPercent: 90,
      suggestedTier: null,
      metrics: {
        dataTransfer: { used: 45 * GiB, limit: 50 * GiB, percent: 90 },
        computeTime: { used: 75 * 3600, limit: 750 * 3600, percent: 10 },
      },
    });
    expect(report.tenants[0]).toMatchObject({ tenant: "acme", peakPercent: 120, suggestedTier: "pro" });
    expect(report.tenants[3]).toMatchObject({ tenant: "initech", projectId: null, peakPercent: null });
  });

  it("a rejected key ends with one line naming NEON_API_KEY", async () => {
    const run = await neonFleet(["usage", FIXTURE_PLANS, "--api", emulator.url], "wrong-key");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^GET \/projects -> 401 .*NEON_API_KEY.*\n$/);
  });
});
