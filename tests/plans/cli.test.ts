import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin", "neon-fleet.js");
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8" });

describe("neon-fleet validate", () => {
  it("accepts the example fleet and counts tenants, tiers and distinct regions", () => {
    const result = run("validate", "plans");
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("ok: 20 tenants, 3 tiers, 3 regions\n");
    expect(result.status).toBe(0);
  });

  it("validates ./plans when no directory is given", () => {
    expect(execFileSync(process.execPath, [BIN, "validate"], { cwd: ROOT, encoding: "utf8" })).toBe(
      "ok: 20 tenants, 3 tiers, 3 regions\n",
    );
  });

  it("prints every problem as FILE:LINE:COL relative to the current directory, no stack, exit 1", () => {
    const result = run("validate", "tests/fixtures/plans/broken/missing-fleet");
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "tests/fixtures/plans/broken/missing-fleet/fleet.yaml:1:1: is missing; every plans directory needs fleet.yaml with keys fleet, residency and defaults\n",
    );
  });

  it("says so in one line when the directory does not exist", () => {
    const result = run("validate", "no-such-plans");
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      "plans directory no-such-plans not found; pass the folder that holds fleet.yaml, tiers.yaml and tenants/\n",
    );
  });
});
