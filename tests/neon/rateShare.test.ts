import { RateLimiter } from "../../provider/neon/limiter";
import { configureFromStack, parseRateShare } from "../../provider/resources/stackConnection";

/** How many of `count` acquires the limiter grants before any timer can fire. */
async function grantedAtOnce(limiter: RateLimiter, count: number): Promise<number> {
  let granted = 0;
  for (let i = 0; i < count; i++) void limiter.acquire().then(() => granted++);
  await new Promise((resolve) => setImmediate(resolve));
  return granted;
}

describe("a stack's share of the account's request budget", () => {
  it("scales the process limiter's rate and burst by neon-fleet:rateShare", async () => {
    const limiter = new RateLimiter(600, 40);
    limiter.useShare(0.25);
    expect([limiter.ratePerMinute, limiter.burst]).toEqual([150, 10]);
    // A burst of 10 is granted at once; the 11th waits for a token (400 ms at 150/min).
    expect(await grantedAtOnce(limiter, 11)).toBe(10);
  });

  it("is relative to the full budget, so every provider's configure setting it again changes nothing", () => {
    const limiter = new RateLimiter(600, 30);
    limiter.useShare(0.5);
    limiter.useShare(0.5);
    expect([limiter.ratePerMinute, limiter.burst]).toEqual([300, 15]);
    limiter.useShare(1);
    expect([limiter.ratePerMinute, limiter.burst]).toEqual([600, 30]);
  });

  it("never drops below one request per minute and one per second", () => {
    const limiter = new RateLimiter(600, 30);
    limiter.useShare(0.001);
    expect([limiter.ratePerMinute, limiter.burst]).toEqual([1, 1]);
  });

  it("is applied by the provider's configure to the one limiter of the process", async () => {
    const stackConfig: Record<string, string> = { "neon-fleet:rateShare": "1/4" };
    const req = { config: { get: (key: string) => stackConfig[key] } };
    await configureFromStack(req as unknown as Parameters<typeof configureFromStack>[0]);
    // The client layer keeps its limiter on globalThis so every copy of the module shares it.
    const slot = Symbol.for("neon-fleet.neon");
    const limiter = (globalThis as Record<symbol, { limiter: RateLimiter } | undefined>)[slot]!.limiter;
    // The full budget is NEON_FLEET_RATE / NEON_FLEET_BURST (600 and 30 unless the environment sets them).
    expect(limiter.ratePerMinute).toBe(limiter.fullRatePerMinute / 4);
    expect(limiter.burst).toBe(Math.max(1, Math.floor(limiter.fullBurst / 4)));
    expect(limiter.ratePerMinute).toBeLessThan(limiter.fullRatePerMinute);
  });

  it("reads a number or a fraction in (0, 1], unset = the whole budget", () => {
    expect(parseRateShare(undefined)).toBe(1);
    expect(parseRateShare("0.25")).toBe(0.25);
    expect(parseRateShare("1/3")).toBeCloseTo(1 / 3, 12);
    expect(parseRateShare("1")).toBe(1);
  });

  it.each(["0", "1.5", "-0.5", "half", "2/1", "1/0"])("refuses %s in one line naming the key", (value) => {
    expect(() => parseRateShare(value)).toThrow(
      `stack config neon-fleet:rateShare is "${value}"; ` +
        "set a number above 0 and at most 1, e.g. 0.25 (or 1/4) for each of four stacks run in parallel",
    );
  });
});
