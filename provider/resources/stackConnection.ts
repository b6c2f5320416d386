import type * as pulumi from "@pulumi/pulumi";
import { UsageError } from "../errors";
import { configureNeon, shareRateBudget, waitForReady } from "./neonAccess";
import { configurePlans } from "./plannedFleet";

/**
 * The `configure` of every neon-fleet provider: hands the stack's `neon-fleet:apiKey` (secret, already
 * decrypted by the engine) and `neon-fleet:apiHost` to the Neon client layer, which falls back to
 * NEON_API_KEY / NEON_API_HOST for whatever the stack does not set, applies `neon-fleet:rateShare` to the
 * process's limiter, `neon-fleet:waitForReady` (default false: a create costs its POST alone) to its creates, and
 * notes `neon-fleet:plans` for deletes that must know what the plans still hold. Nothing is kept in the provider
 * object, so nothing reaches the serialized provider in state.
 */
export async function configureFromStack(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  const rateShare = parseRateShare(stackValue(req, "neon-fleet:rateShare"));
  const waitForCreates = stackFlag(req, "neon-fleet:waitForReady", false);
  configureNeon({ apiKey: stackValue(req, "neon-fleet:apiKey"), apiHost: stackValue(req, "neon-fleet:apiHost") });
  shareRateBudget(rateShare);
  configurePlans(req);
  waitForReady(waitForCreates);
}

/**
 * `neon-fleet:rateShare`: the part of the account's request budget this stack uses (0 < x <= 1, default 1), e.g.
 * 0.25 for each of four stacks run in parallel. A fraction like `1/4` is accepted too.
 * @throws UsageError naming the key when the value is not a number in (0, 1]
 */
export function parseRateShare(text: string | undefined): number {
  if (text === undefined || text.trim() === "") return 1;
  const share = rateShareOf(text);
  if (share === undefined) {
    throw new UsageError(
      `stack config neon-fleet:rateShare is ${JSON.stringify(text)}; ` +
        `set a number above 0 and at most 1, e.g. 0.25 (or 1/4) for each of four stacks run in parallel`,
    );
  }
  return share;
}

/** The share a `neon-fleet:rateShare` value (`0.25` or `1/4`) gives, or undefined when it is not in (0, 1]. */
export function rateShareOf(text: string): number | undefined {
  const fraction = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  const share = fraction ? Number(fraction[1]) / Number(fraction[2]) : Number(text);
  return text.trim() !== "" && Number.isFinite(share) && share > 0 && share <= 1 ? share : undefined;
}

/**
 * A true/false stack setting (`pulumi config set KEY false`, or a YAML boolean), `fallback` when unset.
 * @throws UsageError when the value is neither true nor false
 */
export function stackFlag(req: pulumi.dynamic.ConfigureRequest, key: string, fallback: boolean): boolean {
  const value = stackValue(req, key);
  if (value === undefined) return fallback;
  if (value === "true" || value === "false") return value === "true";
  throw new UsageError(`stack config ${key} is ${JSON.stringify(value)}; set it to true or false`);
}

/**
 * A positive whole-number stack setting, `fallback` when unset.
 * @throws UsageError when the value is not a positive whole number
 */
export function stackCount(req: pulumi.dynamic.ConfigureRequest, key: string, fallback: number): number {
  const value = stackValue(req, key);
  if (value === undefined) return fallback;
  const count = Number(value);
  if (Number.isInteger(count) && count > 0) return count;
  throw new UsageError(`stack config ${key} is ${JSON.stringify(value)}; set it to a whole number of at least 1`);
}

/** A config value as text, or undefined when unset; empty strings count as unset so env fallbacks still apply. */
export function stackValue(req: pulumi.dynamic.ConfigureRequest, key: string): string | undefined {
  // The dynamic-provider server builds its Config from the engine's Configure call; if the engine never
  // sent one, `get` throws on the missing bag, which means "not set" here. Structured config may arrive
  // as a boolean rather than text.
  let value: unknown;
  try {
    value = req.config.get(key);
  } catch {
    value = undefined;
  }
  return value === undefined || value === null || value === "" ? undefined : String(value);
}
