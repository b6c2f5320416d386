/**
 * The RemovalBrake's methods called directly, as the dynamic-provider server calls them: Check compares the digest of
 * the last run with the new one offline. Its plans are the unit fixture (acme, globex, initech).
 */
import type * as pulumi from "@pulumi/pulumi";
import { massRemovalLimit, provider } from "../../provider/resources/removalBrake";
import { decodeTenantDigest, encodeTenantDigest } from "../../provider/resources/tenantDigest";
import { UNIT_PLANS } from "./providerRig";

/** A ConfigureRequest with the unit plans and `values` (no Neon: the brake never calls it). */
function configureWith(values: Record<string, string> = {}): Promise<void> {
  const all: Record<string, string> = { "neon-fleet:plans": UNIT_PLANS, ...values };
  const req = { config: { get: (key: string) => all[key] } } as unknown as pulumi.dynamic.ConfigureRequest;
  return provider.configure!(req);
}

const inputsOf = (ids: string[]) => ({ tenants: ids.length, digest: encodeTenantDigest(ids) });
const gone = (n: number) => Array.from({ length: n }, (_, i) => `gone-${i}`);
const PLANNED = ["acme", "globex", "initech"];

describe("the removal brake's check", () => {
  beforeEach(() => configureWith());

  it("refuses a run that removes 6 of 9 tenants from the plans, naming the count and the opt-in", async () => {
    const result = await provider.check!(inputsOf([...PLANNED, ...gone(6)]), inputsOf(PLANNED));

    expect(result.failures).toHaveLength(1);
    const reason = result.failures![0]!.reason;
    expect(reason).toContain("would remove 6 of the stack's 9 tenants from the plans, more than max(5, 10%) = 5");
    expect(reason).toContain("`pulumi config set neon-fleet:allowMassRemoval true`");
    expect(reason).not.toContain("\n");
  });

  it("lets 5 removals through (max(5, 10%) is a ceiling, not a floor), and 10 of 100", async () => {
    expect((await provider.check!(inputsOf([...PLANNED, ...gone(5)]), inputsOf(PLANNED))).failures).toBeUndefined();
    const hundred = [...PLANNED, ...gone(97)];
    const ten = await provider.check!(inputsOf(hundred), inputsOf(hundred.slice(0, 90)));
    const eleven = await provider.check!(inputsOf(hundred), inputsOf(hundred.slice(0, 89)));
    expect(ten.failures).toBeUndefined();
    expect(eleven.failures?.[0]?.reason).toContain("would remove 11 of the stack's 100 tenants");
    expect([massRemovalLimit(0), massRemovalLimit(59), massRemovalLimit(100), massRemovalLimit(100_000)]).toEqual([
      5, 5, 10, 10_000,
    ]);
  });

  it("with neon-fleet:allowMassRemoval=true the same removal passes and the new digest becomes the baseline", async () => {
    await configureWith({ "neon-fleet:allowMassRemoval": "true" });

    const result = await provider.check!(inputsOf([...PLANNED, ...gone(6)]), inputsOf(PLANNED));

    expect(result.failures).toBeUndefined();
    expect(result.inputs).toEqual(inputsOf(PLANNED));
  });

  it("counts tenants still in the plans that left for another stack as moves, not removals, and names them", async () => {
    const result = await provider.check!(inputsOf([...PLANNED, ...gone(6)]), inputsOf(gone(6)));

    expect(result.failures).toBeUndefined();
    expect(result.inputs).toMatchObject({
      moves: 3,
      moving: [
        { tenantId: "acme", region: "aws-us-east-2" },
        { tenantId: "globex", region: "aws-eu-central-1" },
        { tenantId: "initech", region: "aws-us-east-2" },
      ],
    });
  });

  it("says how many departures were moves when it refuses the removals", async () => {
    const result = await provider.check!(inputsOf([...PLANNED, ...gone(6)]), inputsOf([]));

    expect(result.failures?.[0]?.reason).toContain(
      "would remove 6 of the stack's 9 tenants from the plans, more than max(5, 10%) = 5 " +
        "(3 more leave for other stacks, keeping their projects, and are not counted)",
    );
  });

  it("a stack's first run has no digest to compare with and passes", async () => {
    const result = await provider.check!({} as never, inputsOf(PLANNED));

    expect(result.failures).toBeUndefined();
    expect(result.inputs).toEqual(inputsOf(PLANNED));
  });

  it("a new digest is an update of the brake, the same one no change", async () => {
    const created = await provider.create!(inputsOf([...PLANNED, "extra"]));
    const outs = created.outs!;

    expect((await provider.diff!("removal-brake", outs, inputsOf([...PLANNED, "extra"]))).changes).toBe(false);
    expect((await provider.diff!("removal-brake", outs, inputsOf(PLANNED))).changes).toBe(true);
    expect((await provider.diff!("removal-brake", outs, inputsOf(PLANNED))).replaces).toEqual([]);
  });
});

describe("the tenant digest", () => {
  it("holds 100,000 tenant ids in under 4 bytes each, and gives back their hashes", () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => `tenant-${i.toString(36)}`);

    const digest = encodeTenantDigest(ids);

    expect(digest.length / ids.length).toBeLessThan(4);
    // Two of 100,000 ids may share a 32-bit hash (about one pair expected); none is lost otherwise.
    expect(decodeTenantDigest(digest).size).toBeGreaterThan(99_990);
    expect(decodeTenantDigest(encodeTenantDigest(["b", "a", "a"]))).toEqual(
      decodeTenantDigest(encodeTenantDigest(["a", "b"])),
    );
  });

  it("refuses text that ends inside a number", () => {
    expect(() => decodeTenantDigest(Buffer.from([0x80]).toString("base64"))).toThrow("ends inside a number");
  });
});
