/**
 * A residency edit that moves a tenant to another stack, through the engine double with two stacks (`us`, `eu`) over
 * one plans directory: both previews and their joint summary name it as a move, and no data is lost.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { summarizePreview, summarizePreviews } from "../../tools/summarize";
import { runEngine } from "../engine";
import { STORY_MS } from "../support/timeouts";

const API_KEY = "napi_stackmoves_0123456789abcdefSECRET";
const FAST_EMULATOR = { opMs: 15, ratePerMinute: 60_000, burstPerSecond: 1_000 };
const FAST_CLIENT = { NEON_FLEET_RATE: "60000", NEON_FLEET_BURST: "1000" };

describe("a residency edit that moves a tenant to another stack", () => {
  let emulator: RunningEmulator;
  let dir: string;
  let plansDir: string;
  const writeTenants = (acmeResidency: string) =>
    writeFileSync(
      path.join(plansDir, "tenants", "customers.yaml"),
      "tenants:\n" +
        `  - id: acme\n    residency: ${acmeResidency}\n    onRemove: delete\n` +
        "  - id: globex\n    residency: eu\n  - id: initech\n",
    );
  beforeEach(async () => {
    emulator = await startEmulator({ port: 0, ...FAST_EMULATOR });
    dir = mkdtempSync(path.join(os.tmpdir(), "fleet-stack-moves-"));
    plansDir = path.join(dir, "plans");
    mkdirSync(path.join(plansDir, "tenants"), { recursive: true });
    const small = path.join(__dirname, "..", "fixtures", "fleet", "small");
    for (const file of ["fleet.yaml", "tiers.yaml"]) cpSync(path.join(small, file), path.join(plansDir, file));
    writeTenants("us");
  });
  afterEach(async () => {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (command: "preview" | "up", stack: "us" | "eu") =>
    runEngine({
      command,
      stack,
      plansDir,
      stateFile: path.join(dir, `${stack}.state.json`),
      jsonOut: path.join(dir, `${stack}.${command}.json`),
      apiUrl: emulator.url,
      apiKey: API_KEY,
      config: { "neon-fleet:shard": stack },
      env: FAST_CLIENT,
    });
  const previewOf = (stack: string) => ({
    text: readFileSync(path.join(dir, `${stack}.preview.json`), "utf8"),
    file: `${stack}.preview.json`,
  });

  it(
    "is a move in the leaving stack's preview and, with the joining stack's, a move to stack eu",
    async () => {
      expect([(await run("up", "us")).failures, (await run("up", "eu")).failures]).toEqual([[], []]);
      writeTenants("eu");

      const previews = [await run("preview", "us"), await run("preview", "eu")];

      expect(previews.map((p) => p.ok)).toEqual([true, true]);
      const leaving = summarizePreview(previewOf("us").text, "us.preview.json");
      expect(leaving).toContain(
        "- **acme** (free) moves to the stack managing aws-eu-central-1 (region aws-us-east-2 -> aws-eu-central-1)",
      );
      expect(leaving).not.toContain("`onRemove: delete`, the Neon project and its data are deleted");
      const both = summarizePreviews([previewOf("us"), previewOf("eu")]);
      expect(both.split("\n")[0]).toBe("**neon-fleet preview: 1 to move to other stacks**");
      expect(both).toContain(
        "- **acme** (free) moves to stack eu (region aws-us-east-2 -> aws-eu-central-1): project kept",
      );
      expect(both).not.toContain("### To create");
    },
    STORY_MS,
  );
});
