/**
 * The checkpoint cost model of the bench (bench/checkpoints.ts) against a step-by-step replay of what the
 * file backend writes: the whole snapshot when each create starts (with its pending operation) and ends,
 * and once when the run closes.
 */
import { onboardingCheckpointBytes } from "../../bench/checkpoints";

/** Replays the writes one create at a time. */
function replay(tenants: number, resourcesPerTenant: number, bytesPerTenant: number, baseBytes: number): number {
  const perCreate = bytesPerTenant / resourcesPerTenant;
  let snapshot = baseBytes;
  let written = 0;
  for (let i = 0; i < tenants * resourcesPerTenant; i++) {
    written += snapshot + perCreate; // begin: the snapshot plus the pending operation
    snapshot += perCreate;
    written += snapshot; // end
  }
  return written + snapshot; // close
}

describe("checkpoint cost model", () => {
  it("matches a create-by-create replay of the file backend's writes", () => {
    for (const [tenants, r, s, base] of [
      [1, 1, 100, 0],
      [10, 2, 8700, 3000],
      [250, 3, 5000, 1200],
    ]) {
      expect(
        onboardingCheckpointBytes({ tenants, resourcesPerTenant: r, bytesPerTenant: s, baseBytes: base }),
      ).toBeCloseTo(replay(tenants, r, s, base), 3);
    }
  });

  it("puts onboarding 5,000 tenants of 8.7 KB (two resources each) at about 0.44 TB, 25 times 1,000 tenants", () => {
    const shape = { resourcesPerTenant: 2, bytesPerTenant: 8700 };
    const fiveThousand = onboardingCheckpointBytes({ tenants: 5000, ...shape });
    expect(fiveThousand / 1e12).toBeCloseTo(0.435, 2);
    expect(fiveThousand / onboardingCheckpointBytes({ tenants: 1000, ...shape })).toBeCloseTo(25, 0);
  });
});
