import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const bin = path.join(__dirname, "..", "..", "bin", "neon-fleet.js");
const example = path.join(__dirname, "..", "..", "plans");

describe("neon-fleet restore", () => {
  let dir: string;
  let plans: string;
  const americas = () => readFileSync(path.join(plans, "tenants", "americas.yaml"), "utf8");
  const restore = (...args: string[]) =>
    spawnSync(process.execPath, [bin, "restore", ...args, "--plans", plans], { encoding: "utf8", cwd: dir });

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "neon-fleet-restore-cli-"));
    plans = path.join(dir, "plans");
    cpSync(example, plans, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the restore into the tenant's entry, keeping every other line, and says what to do next", () => {
    const before = americas();
    const run = restore("acme", "--to", "2026-11-30T11:00:00+01:00", "--token", "incident-42");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("acme: restore: { to: 2026-11-30T10:00:00Z, token: incident-42 }");
    expect(run.stdout).toContain("acme-before-incident-42");
    expect(run.stdout).toMatch(/pull request.*pulumi up/);
    const after = americas();
    expect(after.split("\n").filter((line) => !before.split("\n").includes(line))).toEqual([
      "    restore: { to: 2026-11-30T10:00:00Z, token: incident-42 }",
    ]);
    expect(after.replace("    restore: { to: 2026-11-30T10:00:00Z, token: incident-42 }\n", "")).toBe(before);
  });

  it("derives a readable token from the time when none is given", () => {
    expect(restore("acme", "--to", "2026-11-30T10:00:00Z").status).toBe(0);
    expect(americas()).toContain("restore: { to: 2026-11-30T10:00:00Z, token: 20261130-100000 }");
  });

  it("refuses an unknown tenant or a time without zone with one line and leaves the file alone", () => {
    const before = americas();
    const unknown = restore("nobody", "--to", "2026-11-30T10:00:00Z");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim().split("\n")).toEqual([expect.stringContaining("tenant nobody is not in")]);
    const noZone = restore("acme", "--to", "2026-11-30T10:00:00");
    expect(noZone.status).toBe(2);
    expect(noZone.stderr.trim()).toBe('--to must carry a zone (Z or +01:00), got "2026-11-30T10:00:00"');
    expect(americas()).toBe(before);
  });
});
