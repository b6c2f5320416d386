import { readTuning } from "../../provider/neon/tuning";

describe("the client's tunables", () => {
  it("refuses a rate or burst below one request, which would park every call forever, in one line", () => {
    expect(() => readTuning({ NEON_FLEET_BURST: "0.5" })).toThrow(
      "NEON_FLEET_BURST=0.5 is not a number of at least 1: unset it or set e.g. NEON_FLEET_BURST=30",
    );
    expect(() => readTuning({ NEON_FLEET_RATE: "0.9" })).toThrow("NEON_FLEET_RATE=0.9 is not a number of at least 1");
    expect(() => readTuning({ NEON_FLEET_RATE: "fast" })).toThrow("NEON_FLEET_RATE=fast is not a number of at least 1");
  });

  it("accepts a rate and a burst of one, and leaves unset values at their defaults", () => {
    const tuning = readTuning({ NEON_FLEET_RATE: "1", NEON_FLEET_BURST: "1" });
    expect(tuning).toMatchObject({ ratePerMinute: 1, burstPerSecond: 1, maxAttempts: 8 });
  });
});
