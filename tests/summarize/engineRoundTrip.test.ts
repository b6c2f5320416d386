/**
 * The summary of a preview the engine double writes for the real stack program, provider and emulated Neon
 * (the stack program runs from dist/, so `tsc` must have run: `npm test` does it).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { summarizePreview } from "../../tools/summarize";
import { runEngine } from "../engine";
import { TEST_MS } from "../support/timeouts";

const API_KEY = "napi_summarizetest_0123456789SECRET";

describe("a fleet owner's pull request, summarized from a real preview", () => {
  let emulator: RunningEmulator;
  let dir: string;
  let summary: string;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, opMs: 5, ratePerMinute: 60_000, burstPerSecond: 1_000 });
    dir = mkdtempSync(path.join(os.tmpdir(), "summarize-roundtrip-"));
    const plansDir = path.join(dir, "plans");
    cpSync(path.join(__dirname, "..", "fixtures", "preview", "fleet"), plansDir, { recursive: true });
    const run = (command: "up" | "preview") =>
      runEngine({
        command,
        plansDir,
        stateFile: path.join(dir, "state.json"),
        apiUrl: emulator.url,
        apiKey: API_KEY,
        jsonOut: path.join(dir, "preview.json"),
        config: { "neon-fleet:allowReplace": "true" },
        env: { NEON_FLEET_RATE: "60000", NEON_FLEET_BURST: "1000" },
      });
    const up = await run("up");
    expect(up.failures).toEqual([]);

    // The pull request: raise Pro storage, add a tenant, drop two, move one to another region, reset a branch.
    const edit = (file: string, change: (text: string) => string): void =>
      writeFileSync(path.join(plansDir, file), change(readFileSync(path.join(plansDir, file), "utf8")));
    edit("tiers.yaml", (t) => t.replace("storage: 10GiB", "storage: 20GiB"));
    edit("tenants/tenants.yaml", (t) =>
      t
        .replace("  - id: initech\n", "  - id: hooli\n    tier: pro\n")
        .replace("  - id: soylent\n    region: aws-us-east-1\n    onRemove: delete\n", "")
        .replace("    residency: eu\n", "    residency: us\n"),
    );
    edit("dev.yaml", (t) => t.replace('"2026-11-20"', '"2026-11-25"'));
    await run("preview");
    summary = summarizePreview(readFileSync(path.join(dir, "preview.json"), "utf8"), "preview.json");
  }, TEST_MS);

  afterAll(async () => {
    await emulator?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("reads the verdict first", () => {
    expect(summary.split("\n")[0]).toBe(
      "**neon-fleet preview: 1 to update, 1 to create, 1 retained, 1 to delete (destroys data), 1 replace (destroys data), dev project: update, 1 dev branch change**",
    );
  });

  it("names the move and the deletion before the storage change", () => {
    const move = summary.indexOf("**globex** (pro, aws-us-east-2) replace: region aws-eu-central-1 -> aws-us-east-2");
    const deletion = summary.indexOf("**soylent** (free, aws-us-east-1) delete:");
    const retained = summary.indexOf("- initech (free, aws-us-east-2)");
    const storage = summary.indexOf("`storage 10GiB -> 20GiB`: 2 tenants (acme, globex)");
    expect(move).toBeGreaterThan(0);
    expect(deletion).toBeGreaterThan(0);
    expect(retained).toBeGreaterThan(Math.max(move, deletion));
    expect(storage).toBeGreaterThan(retained);
  });

  it("lists the new tenant, and the dev project apart from the tenants", () => {
    expect(summary).toContain("- hooli (pro, aws-us-east-2)");
    expect(summary).toContain("### Dev project and branches (2)");
    expect(summary).toContain("- project **fleet-dev** update: storage 10GiB -> 20GiB");
    expect(summary).toContain("**feature-login** reset to its parent's latest state");
    expect(summary).not.toContain("dev/fleet-dev");
  });

  it("never shows the API key", () => {
    expect(summary).not.toContain(API_KEY);
  });
});
