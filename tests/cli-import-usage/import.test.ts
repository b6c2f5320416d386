import { readFile } from "node:fs/promises";
import path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { copyOfPlans, existingProjects, KEY, neonFleet, TIER_SETTINGS } from "./support";

describe("taking an existing Neon account under management with `neon-fleet import`", () => {
  let emulator: RunningEmulator;
  let ids: string[];
  beforeAll(async () => {
    emulator = await startEmulator({ apiKey: KEY, opMs: 0 });
    ids = await existingProjects(emulator, [
      { name: "tenant-acme", ...TIER_SETTINGS.free }, // already the plans' tenant acme
      { name: "tenant-Big Corp!", region_id: "aws-eu-central-1", ...TIER_SETTINGS.pro },
      { name: "legacy_db", region_id: "aws-us-east-1", pg_version: 16, ...TIER_SETTINGS.free },
      { name: "acme", settings: { quota: { compute_time_seconds: 7200 } } }, // clashes with tenant acme; no tier matches
      { name: "tenant-sydney", region_id: "aws-ap-southeast-2" }, // in no residency group
    ]);
  });
  afterAll(() => emulator.close());

  it("writes one adopt: tenant per unmanaged project, which validates with the plans and is not imported twice", async () => {
    const plans = await copyOfPlans();
    const out = path.join(plans, "tenants", "imported.yaml");
    const run = await neonFleet(["import", "--api", emulator.url, "--plans", plans, "--out", out]);
    expect(run.stderr).toContain(
      `skipped project ${ids[4]} ("tenant-sydney"): region aws-ap-southeast-2 is in no residency group`,
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /import: 5 projects read, 3 written as tenants \(1 without a matching tier\), 1 already in the plans, 1 skipped\n$/,
    );

    const yaml = await readFile(out, "utf8");
    expect(yaml).toContain(
      [
        `  - id: big-corp # project "tenant-Big Corp!"`,
        "    tier: pro",
        "    residency: eu",
        "    region: aws-eu-central-1",
        "    pgVersion: 17",
        `    adopt: ${ids[1]}`,
      ].join("\n"),
    );
    expect(yaml).toContain(
      [
        '  - id: legacy-db # project "legacy_db"',
        "    tier: free",
        "    residency: us",
        "    region: aws-us-east-1",
        "    pgVersion: 16",
        `    adopt: ${ids[2]}`,
      ].join("\n"),
    );
    expect(yaml).toMatch(
      / {2}- id: acme-2 # project "acme"\n {4}# no tier matched; live: .*computeTime 2h.*\n {4}tier: free\n/,
    );
    expect(yaml).not.toContain(ids[0]);

    const validate = await neonFleet(["validate", plans]);
    expect(validate).toMatchObject({ code: 0, stdout: "ok: 7 tenants, 3 tiers, 3 regions\n" });

    const again = await neonFleet(["import", "--api", emulator.url, "--plans", plans]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/\ntenants: \[\]\n$/);
  });

  it("a rejected key, an unreachable host and invalid plans each end with one line saying what to fix", async () => {
    const plans = await copyOfPlans();
    const badKey = await neonFleet(["import", "--api", emulator.url, "--plans", plans], "not-the-key");
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/^GET \/projects -> 401 \(request [^)]+\): .*check NEON_API_KEY.*\n$/);

    const nowhere = await neonFleet(["import", "--api", "http://127.0.0.1:9/api/v2", "--plans", plans]);
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toMatch(
      /^GET \/projects: no answer from http:\/\/127\.0\.0\.1:9\/api\/v2 \(ECONNREFUSED\): check NEON_API_HOST or --api and the network\n$/,
    );

    const broken = await neonFleet(["import", "--api", emulator.url, "--plans", path.join(plans, "tenants")]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/fleet\.yaml/);
    expect(broken.stderr).not.toMatch(/\n\s+at /);
  });

  it("quotes ids YAML would read as non-strings, hides the password of --api, and its output validates", async () => {
    const odd = await startEmulator({ apiKey: KEY, opMs: 0 });
    try {
      const oddIds = ["true", "null", "0x1f", "1e3", "12"];
      await existingProjects(
        odd,
        oddIds.map((id) => ({ name: `tenant-${id}`, ...TIER_SETTINGS.free })),
      );
      const plans = await copyOfPlans();
      const out = path.join(plans, "tenants", "imported.yaml");
      const api = odd.url.replace("http://", "http://fleet-admin:s3cret-pass@");
      const run = await neonFleet(["import", "--api", api, "--plans", plans, "--out", out]);
      expect(run.code).toBe(0);
      const yaml = await readFile(out, "utf8");
      for (const id of oddIds) expect(yaml).toContain(`  - id: "${id}" # project "tenant-${id}"`);
      expect(yaml).toContain(odd.url.replace("http://", "http://***:***@"));
      expect(`${yaml}${run.stderr}`).not.toContain("s3cret-pass");
      const validate = await neonFleet(["validate", plans]);
      expect(validate).toMatchObject({ code: 0, stdout: "ok: 9 tenants, 3 tiers, 3 regions\n" });

      const nowhere = "http://fleet-admin:s3cret-pass@127.0.0.1:9/api/v2";
      const unreachable = await neonFleet(["import", "--api", nowhere, "--plans", plans]);
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toContain("no answer from http://***:***@127.0.0.1:9/api/v2");
      expect(unreachable.stderr).not.toContain("s3cret-pass");
    } finally {
      await odd.close();
    }
  });
});
