import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { FleetError } from "../errors";

/**
 * Helpers for the property bags the dynamic-provider server hands over: validating bags that may hold
 * preview unknowns, naming the properties that differ, and shaping outputs. Nothing here touches the
 * network (preview calls check and diff for every resource).
 */

/** The value Pulumi puts in place of an output that is not known yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Validates `news` against `schema`; properties still unknown at preview are not judged, nor are the `fromOutputs`
 * (another resource's outputs) when missing: with `--continue-on-error` the engine still checks the dependents of a
 * failed resource, with that resource's outputs absent rather than unknown, before it skips them, and a Check
 * failure would abort the whole run.
 */
export function checkProperties(
  schema: z.ZodType,
  news: Record<string, unknown>,
  fromOutputs: readonly string[] = [],
): pulumi.dynamic.CheckResult {
  const result = schema.safeParse(news);
  if (result.success) return { inputs: news };
  const notYetKnown = (key: PropertyKey | undefined): boolean =>
    typeof key === "string" && (news[key] === UNKNOWN || (news[key] === undefined && fromOutputs.includes(key)));
  const failures = result.error.issues
    .filter((issue) => !notYetKnown(issue.path[0]))
    .map((issue) => ({ property: issue.path.join(".") || "(inputs)", reason: issue.message }));
  return { inputs: news, failures };
}

/** The keys among `keys` whose values differ between `olds` and `news` (deep, key order ignored). */
export function changedKeys<K extends string>(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  keys: readonly K[],
): K[] {
  return keys.filter((key) => !sameValue(olds[key], news[key]));
}

/**
 * The read result of a resource Neon no longer has: the dynamic-provider server reports an empty id as "deleted",
 * so refresh drops it from the state and the next `up` creates it again. Its properties are never read.
 */
export function gone<T>(): pulumi.dynamic.ReadResult<T> {
  return { id: "", props: {} as T };
}

/** Deep equality of JSON-like values. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Input properties with Pulumi's reserved `__` keys (the serialized provider) removed. */
export function withoutReserved<T extends Record<string, unknown>>(props: T): T {
  return Object.fromEntries(Object.entries(props).filter(([key]) => !key.startsWith("__"))) as T;
}

/** A copy of `props` without undefined values, which the gRPC property encoding rejects. */
export function compact<T extends Record<string, unknown>>(props: T): T {
  return Object.fromEntries(Object.entries(props).filter(([, value]) => value !== undefined)) as T;
}

/** The recorded state `read` works from; Pulumi always sends it, so its absence is a bug in the caller. */
export function recorded<T>(state: T | undefined, subject: string): T {
  if (state === undefined)
    throw new FleetError(`${subject}: refresh received no recorded state; run the refresh again`);
  return state;
}
