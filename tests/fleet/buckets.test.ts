/**
 * Hash-bucketed stacks through the engine double: several stacks over one plans directory, each with its own state,
 * run in parallel against one emulated Neon account.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ProjectListItem } from "@neondatabase/api-client";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { runEngine } from "../engine";
import { STORY_MS } from "../support/timeouts";

/** Parallel ups of three stacks with 10 tenants each: seconds each, with room for a busy machine. */
const API_KEY = "napi_buckettest_0123456789abcdefSECRET";
/** Fast operations and a generous rate, as the other fleet stories use. */
const FAST_EMULATOR = { opMs: 15, ratePerMinute: 60_000, burstPerSecond: 1_000 };
const FAST_CLIENT = { NEON_FLEET_RATE: "60000", NEON_FLEET_BURST: "1000" };
const TENANTS = Array.from({ length: 30 }, (_, i) => `t${String(i).padStart(2, "0")}`);

describe("a fleet cut into hash buckets", () => {
  let emulator: RunningEmulator;
  let dir: string;
  let plansDir: string;
  beforeEach(async () => {
    emulator = await startEmulator({ port: 0, ...FAST_EMULATOR });
    dir = mkdtempSync(path.join(os.tmpdir(), "fleet-buckets-"));
    plansDir = path.join(dir, "plans");
    const small = path.join(__dirname, "..", "fixtures", "fleet", "small");
    mkdirSync(path.join(plansDir, "tenants"), { recursive: true });
    for (const file of ["fleet.yaml", "tiers.yaml", "dev.yaml"]) {
      cpSync(path.join(small, file), path.join(plansDir, file));
    }
    // A third of the tenants in eu, another third with onRemove: delete (whose projects a move must never delete).
    const entry = (id: string, i: number) =>
      `  - id: ${id}\n${i % 3 === 0 ? "    residency: eu\n" : ""}${i % 3 === 1 ? "    onRemove: delete\n" : ""}`;
    const tenants = TENANTS.map(entry).join("");
    writeFileSync(path.join(plansDir, "tenants", "generated.yaml"), `tenants:\n${tenants}`);
  });
  afterEach(async () => {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const stateOf = (stack: string) => path.join(dir, `${stack}.state.json`);
  const run = (command: "preview" | "up" | "destroy", stack: string, config: Record<string, string>) =>
    runEngine({
      command,
      stack,
      plansDir,
      stateFile: stateOf(stack),
      apiUrl: emulator.url,
      apiKey: API_KEY,
      config,
      env: FAST_CLIENT,
    });
  /** Names of the resources of `type` in a stack's state file. */
  // A run whose preview fails writes no state file: no resources.
  const stateNames = (stack: string, type: string): string[] =>
    (
      JSON.parse(existsSync(stateOf(stack)) ? readFileSync(stateOf(stack), "utf8") : '{"resources":[]}') as {
        resources: { urn: string; type: string }[];
      }
    ).resources
      .filter((r) => r.type === `pulumi-nodejs:dynamic/neon:${type}`)
      .map((r) => r.urn.split("::").pop()!);

  it(
    "stacks 0/3, 1/3, 2/3 run in parallel give one project per tenant, each tenant in exactly one state",
    async () => {
      const stacks = ["bucket-0", "bucket-1", "bucket-2"];
      const results = await Promise.all(
        stacks.map((stack, i) => run("up", stack, { "neon-fleet:bucket": `${i}/3`, "neon-fleet:rateShare": "1/3" })),
      );

      expect(results.map((r) => r.failures)).toEqual([[], [], []]);
      expect(results.every((r) => r.ok)).toBe(true);
      const headers = { authorization: `Bearer ${API_KEY}` };
      const listing = await fetch(`${emulator.url}/projects?limit=400`, { headers });
      const names = ((await listing.json()) as { projects: ProjectListItem[] }).projects.map((p) => p.name).sort();
      expect(names).toEqual([...TENANTS.map((id) => `tenant-${id}`), "fleet-dev"].sort());
      const owners = TENANTS.map((id) => stacks.filter((stack) => stateNames(stack, "TenantProject").includes(id)));
      expect(owners.filter((o) => o.length !== 1)).toEqual([]);
      const quotas = stacks.map((stack) => stateNames(stack, "PlanQuota").length);
      expect(quotas.reduce((a, b) => a + b)).toBe(TENANTS.length + 1);
      // Every bucket holds some of the 30 tenants, and the dev project lives in bucket 0 only.
      expect(results.map((r) => (r.outputs.tenants as number) > 0)).toEqual([true, true, true]);
      const withDev = stacks.map((stack) => stateNames(stack, "TenantProject").includes("dev/fleet-dev"));
      expect(withDev).toEqual([true, false, false]);
      expect(results.map((r) => r.outputs.devBranches)).toEqual([2, 0, 0]);
      expect(emulator.stats().rateLimited).toBe(0);
    },
    STORY_MS,
  );

  /** Project creates and deletes (projects and branches) the emulator saw since its last stats reset. */
  const createsAndDeletes = () => {
    const routes = emulator.stats().requests.byRoute;
    const watched = ["POST /projects", "DELETE /projects/{project_id}", "POST /projects/{project_id}/branches"];
    return Object.fromEntries(
      [...watched, "DELETE /projects/{project_id}/branches/{branch_id}"].map((route) => [route, routes[route] ?? 0]),
    );
  };
  const noCreatesOrDeletes = {
    "POST /projects": 0,
    "DELETE /projects/{project_id}": 0,
    "POST /projects/{project_id}/branches": 0,
    "DELETE /projects/{project_id}/branches/{branch_id}": 0,
  };
  const projectNames = async () => {
    const headers = { authorization: `Bearer ${API_KEY}` };
    const listing = await fetch(`${emulator.url}/projects?limit=400`, { headers });
    return ((await listing.json()) as { projects: ProjectListItem[] }).projects.map((p) => p.name).sort();
  };
  const threeStacks = async () => {
    const results = await Promise.all(
      [0, 1, 2].map((i) => run("up", `bucket-${i}`, { "neon-fleet:bucket": `${i}/3`, "neon-fleet:rateShare": "1/3" })),
    );
    expect(results.map((r) => r.failures)).toEqual([[], [], []]);
    emulator.resetStats();
  };
  const twoStacks = (i: number) => run("up", `bucket-${i}`, { "neon-fleet:bucket": `${i}/2` });

  it.each([
    ["the stacks that gain tenants first, the retired stack destroyed last", ["up-0", "up-1", "destroy-2"]],
    ["the retired stack destroyed first, then the stacks that gain tenants", ["destroy-2", "up-1", "up-0"]],
  ])(
    "re-sharding 3 stacks to 2 keeps every project, no create, no delete: %s",
    async (_order, steps) => {
      await threeStacks();

      for (const step of steps) {
        const [command, index] = step.split("-") as ["up" | "destroy", string];
        const result = command === "up" ? await twoStacks(Number(index)) : await run("destroy", "bucket-2", {});
        expect(result.failures).toEqual([]);
        expect(result.ok).toBe(true);
      }

      expect(createsAndDeletes()).toEqual(noCreatesOrDeletes);
      expect(await projectNames()).toEqual([...TENANTS.map((id) => `tenant-${id}`), "fleet-dev"].sort());
      const owners = TENANTS.map((id) =>
        ["bucket-0", "bucket-1"].filter((s) => stateNames(s, "TenantProject").includes(id)),
      );
      expect(owners.filter((o) => o.length !== 1)).toEqual([]);
      expect(stateNames("bucket-2", "TenantProject")).toEqual([]);
      expect(stateNames("bucket-0", "DevBranch").sort()).toEqual(["feature-billing", "feature-login"]);
    },
    STORY_MS,
  );

  it(
    "a destroy deletes the onRemove: delete projects of tenants removed from the plans, and keeps the rest",
    async () => {
      await threeStacks();
      const owned = stateNames("bucket-2", "TenantProject");
      const deletable = owned.filter((id) => TENANTS.indexOf(id) % 3 === 1);
      const removed = deletable[0];
      writeFileSync(
        path.join(plansDir, "tenants", "generated.yaml"),
        readFileSync(path.join(plansDir, "tenants", "generated.yaml"), "utf8").replace(
          `  - id: ${removed}\n`,
          "  - id: gone\n",
        ),
      );

      const result = await run("destroy", "bucket-2", {});

      expect(result.failures).toEqual([]);
      expect(createsAndDeletes()).toEqual({ ...noCreatesOrDeletes, "DELETE /projects/{project_id}": 1 });
      expect(await projectNames()).not.toContain(`tenant-${removed}`);
      expect((await projectNames()).filter((n) => owned.map((id) => `tenant-${id}`).includes(n))).toHaveLength(
        owned.length - 1,
      );
    },
    STORY_MS,
  );

  it(
    "narrowing neon-fleet:shard from a group to one region deletes nothing; the region's new stack takes over",
    async () => {
      const first = await run("up", "us", { "neon-fleet:shard": "us" });
      expect(first.failures).toEqual([]);
      emulator.resetStats();

      const narrowed = await run("up", "us", { "neon-fleet:shard": "aws-us-east-1" });
      const takeover = await run("up", "us-east-2", { "neon-fleet:shard": "aws-us-east-2" });

      expect([narrowed.failures, takeover.failures]).toEqual([[], []]);
      expect(createsAndDeletes()).toEqual(noCreatesOrDeletes);
      expect(stateNames("us", "TenantProject")).toEqual([]);
      expect(stateNames("us-east-2", "TenantProject")).toHaveLength((first.outputs.tenants as number) + 1);
      expect(stateNames("us-east-2", "DevBranch").sort()).toEqual(["feature-billing", "feature-login"]);
    },
    STORY_MS,
  );

  it(
    "a bad bucket stops the program with one line naming the key, and nothing is registered or sent",
    async () => {
      const result = await run("up", "bucket-x", { "neon-fleet:bucket": "3/3" });

      expect(result.ok).toBe(false);
      const errors = result.stderr.split("\n").filter((l) => l.startsWith("error:"));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(': neon-fleet:bucket is "3/3": N must be below K (buckets are numbered from 0);');
      // `up` previews first and the preview fails, so nothing is applied and no state file is written.
      expect(existsSync(stateOf("bucket-x"))).toBe(false);
      expect(emulator.stats().requests.total).toBe(0);
    },
    STORY_MS,
  );

  it(
    "a bad rate share stops the program with one line naming the key, before any call to Neon",
    async () => {
      const result = await run("preview", "bucket-0", { "neon-fleet:bucket": "0/3", "neon-fleet:rateShare": "4" });

      expect(result.ok).toBe(false);
      const errors = result.stderr.split("\n").filter((l) => l.startsWith("error:"));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('stack config neon-fleet:rateShare is "4"; set a number above 0 and at most 1');
      expect(emulator.stats().requests.total).toBe(0);
    },
    STORY_MS,
  );
});
