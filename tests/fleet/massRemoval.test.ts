/**
 * The brake on mass removals through the engine double: a plans edit that removes most of a stack's tenants stops
 * preview and up before any change, until the stack allows it for one run.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ProjectListItem } from "@neondatabase/api-client";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { summarizePreview } from "../../tools/summarize";
import { runEngine } from "../engine";
import { STORY_MS } from "../support/timeouts";

const API_KEY = "napi_massremoval_0123456789abcdefSECRET";
const FAST_EMULATOR = { opMs: 15, ratePerMinute: 60_000, burstPerSecond: 1_000 };
const FAST_CLIENT = { NEON_FLEET_RATE: "60000", NEON_FLEET_BURST: "1000" };
/** Seven tenants, every one `onRemove: delete`: a removal that went through would delete their projects. */
const TENANTS = ["t1", "t2", "t3", "t4", "t5", "t6", "t7"];

describe("an up that would remove most of a stack's tenants", () => {
  let emulator: RunningEmulator;
  let dir: string;
  let plansDir: string;
  const tenantsFile = () => path.join(plansDir, "tenants", "customers.yaml");
  const writeTenants = (ids: string[]) =>
    writeFileSync(tenantsFile(), `tenants:\n${ids.map((id) => `  - id: ${id}\n    onRemove: delete\n`).join("")}`);
  beforeEach(async () => {
    emulator = await startEmulator({ port: 0, ...FAST_EMULATOR });
    dir = mkdtempSync(path.join(os.tmpdir(), "fleet-mass-removal-"));
    plansDir = path.join(dir, "plans");
    mkdirSync(path.join(plansDir, "tenants"), { recursive: true });
    const small = path.join(__dirname, "..", "fixtures", "fleet", "small");
    for (const file of ["fleet.yaml", "tiers.yaml"]) cpSync(path.join(small, file), path.join(plansDir, file));
    writeTenants(TENANTS);
  });
  afterEach(async () => {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const stateFile = () => path.join(dir, "state.json");
  const run = (command: "preview" | "up", config: Record<string, string> = {}) =>
    runEngine({
      command,
      plansDir,
      stateFile: stateFile(),
      jsonOut: path.join(dir, `${command}.json`),
      apiUrl: emulator.url,
      apiKey: API_KEY,
      config,
      env: FAST_CLIENT,
    });
  const projectNames = async () => {
    const listing = await fetch(`${emulator.url}/projects?limit=400`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    return ((await listing.json()) as { projects: ProjectListItem[] }).projects.map((p) => p.name).sort();
  };
  const mutations = () => Object.keys(emulator.stats().requests.byRoute).filter((route) => !route.startsWith("GET "));

  it(
    "refuses in preview and in up with one line naming the count, and nothing changes in Neon or in state",
    async () => {
      expect((await run("up")).failures).toEqual([]);
      const stateBefore = readFileSync(stateFile(), "utf8");
      emulator.resetStats();
      writeTenants(["t1"]);

      const preview = await run("preview");
      const up = await run("up");

      for (const result of [preview, up]) {
        expect(result.ok).toBe(false);
        expect(result.failures).toHaveLength(1);
        expect(result.failures[0]!.message).toContain(
          "mass removal refused: this run would remove 6 of the stack's 7 tenants",
        );
        expect(result.failures[0]!.message).toContain("`pulumi config set neon-fleet:allowMassRemoval true`");
      }
      expect(mutations()).toEqual([]);
      expect(await projectNames()).toEqual(TENANTS.map((id) => `tenant-${id}`));
      expect(readFileSync(stateFile(), "utf8")).toBe(stateBefore);
      const summary = summarizePreview(readFileSync(path.join(dir, "preview.json"), "utf8"), "preview.json");
      const dangerous = summary.indexOf("### Destroys data or refused");
      expect(dangerous).toBeGreaterThan(0);
      expect(summary.indexOf("**mass removal refused**: this run would remove 6", dangerous)).toBeGreaterThan(
        dangerous,
      );
    },
    STORY_MS,
  );

  it(
    "with neon-fleet:allowMassRemoval=true the removal proceeds, and the next run without it is quiet",
    async () => {
      expect((await run("up")).failures).toEqual([]);
      writeTenants(["t1"]);

      const allowed = await run("up", { "neon-fleet:allowMassRemoval": "true" });
      const next = await run("up");

      expect(allowed.failures).toEqual([]);
      expect(await projectNames()).toEqual(["tenant-t1"]);
      expect(next.failures).toEqual([]);
      expect(next.ok).toBe(true);
    },
    STORY_MS,
  );
});
