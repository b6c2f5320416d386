import path from "node:path";
import { loadPlans, type Fleet } from "../../provider/plans";
import { fnv1a32, managesDev, managesTenant, parseBucket, parseShard, tenantBucket } from "../../provider/plans/shard";

const SMALL = path.join(__dirname, "..", "fixtures", "fleet", "small");

describe("the hash bucket of a tenant", () => {
  it("is FNV-1a 32-bit of the UTF-8 id: the published test vectors", () => {
    // From the FNV reference test suite (draft-eastlake-fnv, FNV-1a 32-bit).
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });

  it("hashes the UTF-8 bytes, not UTF-16 code units", () => {
    // "café" is 5 UTF-8 bytes (é = c3 a9); computed independently with Python's str.encode().
    expect(fnv1a32("café")).toBe(0xa82b5049);
  });

  it("never moves a tenant: pinned buckets of real-looking ids", () => {
    // Changing any of these would move tenants between the stacks of every fleet that uses buckets.
    expect(fnv1a32("acme")).toBe(0x45fd71af);
    expect(tenantBucket("acme", 4)).toBe(3);
    expect(tenantBucket("acme", 4096)).toBe(431);
    expect(tenantBucket("globex", 4)).toBe(2);
    expect(tenantBucket("tenant-00042", 4)).toBe(2);
    expect(tenantBucket("tenant-00042", 4096)).toBe(1762);
  });

  it("spreads sequential ids evenly: every bucket within 5% of its fair share", () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `tenant-${String(i).padStart(5, "0")}`);
    for (const count of [2, 3, 4, 5, 16]) {
      const sizes = new Array<number>(count).fill(0);
      for (const id of ids) sizes[tenantBucket(id, count)]++;
      const fair = ids.length / count;
      for (const size of sizes) expect(Math.abs(size - fair) / fair).toBeLessThan(0.05);
    }
  });
});

describe("neon-fleet:bucket", () => {
  it("reads N/K, and unset or empty as every bucket", () => {
    expect(parseBucket("0/3")).toEqual({ index: 0, count: 3 });
    expect(parseBucket(" 2/3 ")).toEqual({ index: 2, count: 3 });
    expect(parseBucket("4095/4096")).toEqual({ index: 4095, count: 4096 });
    expect(parseBucket(undefined)).toBeUndefined();
    expect(parseBucket("")).toBeUndefined();
  });

  it.each([
    ["3/3", "N must be below K (buckets are numbered from 0)"],
    ["x/2", "not of the form N/K"],
    ["0/0", "K must be 1..4096"],
    ["1/5000", "K must be 1..4096"],
    ["-1/3", "not of the form N/K"],
    ["1.5/3", "not of the form N/K"],
  ])("refuses %s in one line naming the key", (value, problem) => {
    expect(() => parseBucket(value)).toThrow(
      `neon-fleet:bucket is "${value}": ${problem}; ` +
        `set "N/K" with 0 <= N < K <= 4096, e.g. "0/4" for the first of four stacks`,
    );
  });
});

describe("which tenants a stack manages", () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await loadPlans(SMALL);
  });
  const managed = (shard: string | undefined, bucket: string | undefined) =>
    fleet.tenants.filter((t) => managesTenant(parseShard(shard, bucket, fleet), t)).map((t) => t.id);

  it("keeps the tenants of the shard whose bucket is the stack's", () => {
    // FNV-1a mod 2: acme 1, globex (eu) 0, initech 1; mod 4: 3, 2, 1.
    expect(fleet.tenants.map((t) => tenantBucket(t.id, 2))).toEqual([1, 0, 1]);
    expect(managed(undefined, "1/2")).toEqual(["acme", "initech"]);
    expect(managed(undefined, "0/2")).toEqual(["globex"]);
    expect(managed("eu", "1/2")).toEqual([]);
    expect(managed("aws-us-east-2", "3/4")).toEqual(["acme"]);
    expect(managed("us", "0/4")).toEqual([]);
    expect(managed(undefined, undefined)).toEqual(["acme", "globex", "initech"]);
  });

  it("gives the dev project to bucket 0 of the shard naming its region or group", () => {
    const dev = fleet.dev!;
    expect(managesDev(parseShard(undefined, "0/4", fleet), fleet, dev)).toBe(true);
    expect(managesDev(parseShard(undefined, "1/4", fleet), fleet, dev)).toBe(false);
    expect(managesDev(parseShard("eu", "0/4", fleet), fleet, dev)).toBe(false);
    expect(managesDev(parseShard("us", undefined, fleet), fleet, dev)).toBe(true);
  });

  it("refuses a shard naming neither a group nor a region, listing the valid names", () => {
    expect(() => parseShard("mars", undefined, fleet)).toThrow(
      "neon-fleet:shard names mars, which is neither a residency group nor a region of the plans; " +
        "use any of: aws-eu-central-1, aws-us-east-1, aws-us-east-2, eu, us",
    );
  });
});
