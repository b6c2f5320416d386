import type * as neonLayer from "../neon";

/**
 * The process's Neon client, loaded on first use. The Pulumi program process constructs resources but
 * never calls Neon, so it never pays for loading the client layer and its HTTP stack; the provider
 * process loads it on its first call.
 */
export function neon(): neonLayer.NeonClient {
  return (require("../neon") as typeof neonLayer).neon();
}

/** Hands stack settings to the client layer (see configureNeon). */
export function configureNeon(settings: Partial<neonLayer.NeonConnection>): void {
  (require("../neon") as typeof neonLayer).configureNeon(settings);
}

/** Sets this process's share of the account's request budget (see shareRateBudget). */
export function shareRateBudget(share: number): void {
  (require("../neon") as typeof neonLayer).shareRateBudget(share);
}

/** Makes this process's creates wait for their operations, or not (see waitForReady). */
export function waitForReady(wait: boolean): void {
  (require("../neon") as typeof neonLayer).waitForReady(wait);
}
