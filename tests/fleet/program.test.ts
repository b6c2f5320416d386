import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator } from "../../emulator";
import { runEngine } from "../engine";
import { findProject, programLocation } from "../engine/project";
import { fleetWorld, stepOps, type FleetWorld } from "./fleetWorld";
import { FAILED_RUN_MS, STORY_MS } from "../support/timeouts";

describe("the stack program", () => {
  let world: FleetWorld;
  beforeEach(async () => {
    world = await fleetWorld("small");
  });
  afterEach(async () => world.close());

  it(
    "a stack sharded on a residency group manages only that group's tenants",
    async () => {
      const result = await world.run("preview", { "neon-fleet:shard": "eu" });

      expect(result.ok).toBe(true);
      expect(stepOps(result, "TenantProject")).toEqual({ globex: "create" });
      expect(stepOps(result, "PlanQuota")).toEqual({ globex: "create" });
      // The local stack exports connection strings; before the projects exist they are unknown in a preview.
      const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
      expect(result.outputs).toEqual({
        tenants: 1,
        tenantsByTier: { free: 1 },
        tenantsByRegion: { "aws-eu-central-1": 1 },
        tenantsByPlacement: { project: 1 },
        templateProjects: 0,
        devBranches: 0,
        connections: UNKNOWN,
      });
    },
    STORY_MS,
  );
});

describe("the stack program with invalid plans", () => {
  const root = path.resolve(__dirname, "../..");
  const fixtures = path.join(__dirname, "..", "fixtures", "plans");
  const brokenCase = path.join(fixtures, "broken", "every-problem-reported");

  it(
    "up stops with one FILE:LINE:COL line per problem, registers nothing and sends nothing to Neon",
    async () => {
      const emulator = await startEmulator({ port: 0 });
      const dir = mkdtempSync(path.join(os.tmpdir(), "fleet-invalid-"));
      const stateFile = path.join(dir, "state.json");
      // A broken case is its files laid over the valid base plans.
      const plansDir = path.join(dir, "plans");
      cpSync(path.join(fixtures, "base"), plansDir, { recursive: true });
      cpSync(brokenCase, plansDir, { recursive: true, filter: (from) => path.basename(from) !== "expected.txt" });
      try {
        const result = await runEngine({
          command: "up",
          plansDir,
          stateFile,
          apiUrl: emulator.url,
          apiKey: "napi_invalidplans_SECRET",
        });

        // Pulumi starts the program in the folder of Pulumi.yaml's main; the program moves to the project root first,
        // so plan files are named relative to the root, as the user sees them in the repository.
        expect(programLocation(findProject(root)).pwd).toBe(path.join(root, "dist", "stacks"));
        const shown = path.relative(root, plansDir);
        const expected = readFileSync(path.join(brokenCase, "expected.txt"), "utf8")
          .trim()
          .split("\n")
          .map((l) => `${shown}/${l}`);
        const stackUrn = "urn:pulumi:local::neon-fleet::pulumi:pulumi:Stack::neon-fleet-local";
        expect(result.ok).toBe(false);
        expect(result.stderr.split("\n").filter((l) => l.startsWith("error:"))).toEqual(
          expected.map((l) => `error: ${stackUrn}: ${l}`),
        );
        // The program fails in the preview that `up` runs first, so nothing is applied and no state is written.
        expect(existsSync(stateFile)).toBe(false);
        expect(emulator.stats().requests.total).toBe(0);
      } finally {
        await emulator.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    FAILED_RUN_MS,
  );
});
