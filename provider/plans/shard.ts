import { residencyOf } from "./residency";
import type { Fleet, ResolvedDev, ResolvedTenant } from "./types";
import { UsageError } from "../errors";

/**
 * Which part of the fleet a stack manages, from two stack settings that narrow each other:
 * - `neon-fleet:shard`: a comma list of residency groups and/or regions; a tenant is in it when its residency
 *   group or its region is listed. Unset = every group and region.
 * - `neon-fleet:bucket: "N/K"`: of those, the tenants whose hash bucket (see {@link tenantBucket}) is N.
 *   Unset = every bucket.
 * The Pulumi program and `neon-fleet shards` both decide through {@link managesTenant} and {@link managesDev},
 * so what the layout check reports is what the stacks register.
 */
export interface Shard {
  /** The listed groups and regions, or undefined for the whole fleet. */
  readonly names?: ReadonlySet<string>;
  /** The stack's hash bucket, or undefined for every bucket. */
  readonly bucket?: Bucket;
}

/** Bucket `index` of `count` (`neon-fleet:bucket: "index/count"`). */
export interface Bucket {
  readonly index: number;
  readonly count: number;
}

/** Most buckets a fleet can be cut into: far more stacks than anyone runs, and a bound on typos like `0/40000`. */
export const MAX_BUCKETS = 4096;

/** The bucket the dev project belongs to: it has no tenant id, and one fixed bucket keeps it in exactly one stack. */
export const DEV_BUCKET = 0;

/** Parses a stack's `neon-fleet:shard` and `neon-fleet:bucket`; a bad value is a one-line UsageError naming the key. */
export function parseShard(spec: string | undefined, bucketSpec: string | undefined, fleet: Fleet): Shard {
  const bucket = parseBucket(bucketSpec);
  const names = (spec ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (names.length === 0) return bucket ? { bucket } : {};
  const known = new Set([...Object.keys(fleet.residency), ...fleet.regions, ...Object.values(fleet.residency).flat()]);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `neon-fleet:shard names ${unknown.join(", ")}, which is neither a residency group nor a region of the plans; use any of: ${[...known].sort().join(", ")}`,
    );
  }
  return { names: new Set(names), ...(bucket ? { bucket } : {}) };
}

/**
 * Parses `neon-fleet:bucket` ("N/K", whole numbers, 0 <= N < K <= 4096); unset or empty = every bucket.
 * @throws UsageError naming the key, the value and the rule
 */
export function parseBucket(spec: string | undefined): Bucket | undefined {
  const text = (spec ?? "").trim();
  if (text === "") return undefined;
  const match = /^(\d{1,9})\/(\d{1,9})$/.exec(text);
  const [index, count] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  const problem = !match
    ? "not of the form N/K"
    : count < 1 || count > MAX_BUCKETS
      ? `K must be 1..${MAX_BUCKETS}`
      : index >= count
        ? "N must be below K (buckets are numbered from 0)"
        : undefined;
  if (problem) {
    throw new UsageError(
      `neon-fleet:bucket is ${JSON.stringify(spec)}: ${problem}; ` +
        `set "N/K" with 0 <= N < K <= ${MAX_BUCKETS}, e.g. "0/4" for the first of four stacks`,
    );
  }
  return { index, count };
}

/**
 * FNV-1a, 32 bits, of the UTF-8 bytes of `text` (offset basis 2166136261, prime 16777619). Chosen because it is
 * tiny, has no dependency and is the same on every machine and Node version; it decides which stack owns a
 * tenant, so it must never change (tests pin it to published test vectors).
 */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The hash bucket of a tenant among `count`: FNV-1a 32-bit of its id, modulo `count`. Fixed forever. */
export function tenantBucket(tenantId: string, count: number): number {
  return fnv1a32(tenantId) % count;
}

/** True when the stack of `shard` manages the tenant: its group or region is in the shard, its bucket the stack's. */
export function managesTenant(shard: Shard, tenant: Pick<ResolvedTenant, "id" | "residency" | "region">): boolean {
  const { bucket } = shard;
  return inShard(shard, tenant) && (!bucket || tenantBucket(tenant.id, bucket.count) === bucket.index);
}

/**
 * True when the stack of `shard` manages the dev project: the shard names its region or that region's residency
 * group, and the stack holds bucket 0 (or every bucket).
 */
export function managesDev(shard: Shard, fleet: Fleet, dev: Pick<ResolvedDev, "region">): boolean {
  const residency = residencyOf(fleet, dev.region) ?? "";
  return inShard(shard, { residency, region: dev.region }) && (!shard.bucket || shard.bucket.index === DEV_BUCKET);
}

/** True when the tenant's residency group or region is in the shard's list (or the shard has no list). */
function inShard(shard: Shard, tenant: Pick<ResolvedTenant, "residency" | "region">): boolean {
  return !shard.names || shard.names.has(tenant.residency) || shard.names.has(tenant.region);
}
