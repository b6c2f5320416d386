import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin", "neon-fleet.js");
const SMALL = path.join(__dirname, "..", "fixtures", "fleet", "small");
const NEON = "https://console.neon.tech/api/v2";
const NO_STACK = `is managed by no stack of ${NEON}; add its group, region or bucket to one`;

// The small fleet's buckets (FNV-1a of the id): of 2, acme 1, globex 0, initech 1; the dev project is in bucket 0.

describe("neon-fleet shards", () => {
  let dir: string;
  let plans: string;
  let stacks: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "neon-fleet-shards-"));
    plans = path.join(dir, "plans");
    stacks = path.join(dir, "stacks");
    cpSync(SMALL, plans, { recursive: true });
    mkdirSync(stacks);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes `Pulumi.<stack>.yaml` with the given config. */
  const stack = (name: string, config: Record<string, string>) =>
    writeFileSync(
      path.join(stacks, `Pulumi.${name}.yaml`),
      `config:\n${Object.entries(config)
        .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}\n`)
        .join("")}`,
    );
  const shards = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, "shards", plans, "--stacks", stacks, ...args], { cwd: dir, encoding: "utf8" });

  it("prints one line per stack with its tenant count when every tenant has exactly one stack", () => {
    stack("b0", { "neon-fleet:bucket": "0/2" });
    stack("b1", { "neon-fleet:bucket": "1/2" });
    const result = shards();
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(
      `b0: 1 tenants + dev project (shard: all, bucket: 0/2, api: ${NEON})\n` +
        `b1: 2 tenants (shard: all, bucket: 1/2, api: ${NEON})\n`,
    );
    expect(result.status).toBe(0);
  });

  it("exits 1 naming every tenant that no stack manages", () => {
    stack("b0", { "neon-fleet:bucket": "0/2" });
    const result = shards();
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `tenant acme (us, aws-us-east-2) ${NO_STACK}\n` + `tenant initech (us, aws-us-east-2) ${NO_STACK}\n`,
    );
  });

  it("exits 1 naming every tenant, and the dev project, that two stacks manage", () => {
    stack("b0", { "neon-fleet:bucket": "0/2" });
    stack("b1", { "neon-fleet:bucket": "1/2" });
    stack("us", { "neon-fleet:shard": "us" });
    const result = shards();
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `tenant acme (us, aws-us-east-2) is managed by 2 stacks of ${NEON} (b1, us); make them disjoint\n` +
        `tenant initech (us, aws-us-east-2) is managed by 2 stacks of ${NEON} (b1, us); make them disjoint\n` +
        `dev project fleet-dev (aws-us-east-2, bucket 0) is managed by 2 stacks of ${NEON} (b0, us); ` +
        "make them disjoint\n",
    );
  });

  it("checks the stacks of each Neon API on their own: an emulator stack beside a bucketed layout is fine", () => {
    stack("local", { "neon-fleet:apiHost": "http://127.0.0.1:4010/api/v2/" });
    stack("eu", { "neon-fleet:shard": "eu" });
    stack("us-0", { "neon-fleet:shard": "us", "neon-fleet:bucket": "0/2" });
    stack("us-1", { "neon-fleet:shard": "us", "neon-fleet:bucket": "1/2" });
    const result = shards("--json");
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual([
      { stack: "eu", tenants: 1, apiHost: NEON },
      { stack: "local", tenants: 3, apiHost: "http://127.0.0.1:4010/api/v2" },
      { stack: "us-0", tenants: 0, apiHost: NEON },
      { stack: "us-1", tenants: 2, apiHost: NEON },
    ]);
    expect(result.status).toBe(0);
  });

  it("refuses a bad bucket in one line naming the stack file and the key", () => {
    stack("b0", { "neon-fleet:bucket": "0/2" });
    stack("b1", { "neon-fleet:bucket": "2/2" });
    const result = shards();
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `${path.join(stacks, "Pulumi.b1.yaml")}: ` +
        `neon-fleet:bucket is "2/2": N must be below K (buckets are numbered from 0); ` +
        `set "N/K" with 0 <= N < K <= 4096, e.g. "0/4" for the first of four stacks\n`,
    );
  });

  it("refuses a bad rate share in one line naming the stack file and the key", () => {
    stack("all", { "neon-fleet:rateShare": "0" });
    const result = shards();
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `${path.join(stacks, "Pulumi.all.yaml")}: stack config neon-fleet:rateShare is "0"; ` +
        "set a number above 0 and at most 1, e.g. 0.25 (or 1/4) for each of four stacks run in parallel\n",
    );
  });

  describe("--changed BASE_PLANS_DIR", () => {
    let base: string;
    beforeEach(() => {
      base = path.join(dir, "base");
      cpSync(plans, base, { recursive: true });
      stack("b0", { "neon-fleet:bucket": "0/2" });
      stack("b1", { "neon-fleet:bucket": "1/2" });
    });
    const edit = (file: string, change: (text: string) => string) =>
      writeFileSync(path.join(plans, file), change(readFileSync(path.join(plans, file), "utf8")));

    it("lists only the stacks whose tenants differ from the base plans", () => {
      edit("tenants/customers.yaml", (t) => t.replace("id: acme\n    tier: pro", "id: acme\n    tier: enterprise"));
      const listed = JSON.parse(shards("--changed", base, "--json").stdout);
      expect(listed).toEqual([{ stack: "b1", tenants: 2, apiHost: NEON }]);
    });

    it("lists the stack that gains a new tenant, and nothing when only where tenants are written changed", () => {
      edit("tenants/customers.yaml", (t) => `${t}  - id: newco\n`);
      // newco: FNV-1a mod 2 = 1.
      expect(shards("--changed", base).stdout).toBe(`b1: 3 tenants (shard: all, bucket: 1/2, api: ${NEON})\n`);
      cpSync(path.join(base, "tenants"), path.join(plans, "tenants"), { recursive: true });
      edit("tenants/customers.yaml", (t) => `# every tenant moves down a line\n${t}`);
      const result = shards("--changed", base, "--json");
      expect(result.stdout).toBe("[]\n");
      expect(result.status).toBe(0);
    });

    it("lists the stack of the dev project when dev.yaml changed", () => {
      edit("dev.yaml", (t) => t.replace("ttl: 2d", "ttl: 3d"));
      const listed = JSON.parse(shards("--changed", base, "--json").stdout);
      expect(listed).toEqual([{ stack: "b0", tenants: 1, apiHost: NEON }]);
    });

    it("lists every stack when tiers.yaml or fleet.yaml changed", () => {
      edit("tiers.yaml", (t) => `# reviewed\n${t}`);
      const result = shards("--changed", base, "--json");
      expect(JSON.parse(result.stdout).map((s: { stack: string }) => s.stack)).toEqual(["b0", "b1"]);
      expect(result.stderr).toBe("shards: tiers.yaml changed: every stack is affected\n");
    });
  });
});

describe("neon-fleet shards on the repository's own stacks", () => {
  it("passes: the local emulator stack and the production stack each manage the whole example fleet", () => {
    const result = spawnSync(process.execPath, [BIN, "shards"], { cwd: ROOT, encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(
      result.stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(" (")[0]),
    ).toEqual(["local: 20 tenants + dev project", "production: 20 tenants + dev project"]);
  });
});
