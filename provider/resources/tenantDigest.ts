import { createHash } from "node:crypto";

/**
 * A compact, order-free record of a set of tenant ids: each id's 32-bit hash (the first four bytes of its SHA-256),
 * sorted, stored as gaps in LEB128 varints, base64: 3.6 characters a tenant at 100,000 tenants (the gaps average
 * 43,000: two or three varint bytes), so a stack's whole tenant list fits in one small state property. Two ids
 * sharing a hash (about one pair in 100,000 ids) count as one: the set is for counting removals, where one miss is
 * harmless.
 */

/** The 32-bit hash of a tenant id the digest stores. */
export function tenantHash(id: string): number {
  return createHash("sha256").update(id).digest().readUInt32BE(0);
}

/** The digest of `ids` (any order, duplicates ignored). */
export function encodeTenantDigest(ids: Iterable<string>): string {
  const hashes = [...new Set([...ids].map(tenantHash))].sort((a, b) => a - b);
  const bytes: number[] = [];
  let previous = 0;
  for (const hash of hashes) {
    let gap = hash - previous;
    previous = hash;
    while (gap >= 0x80) {
      bytes.push((gap % 0x80) | 0x80);
      gap = Math.floor(gap / 0x80);
    }
    bytes.push(gap);
  }
  return Buffer.from(bytes).toString("base64");
}

/**
 * The hashes a digest holds.
 * @throws Error when the text is not a digest (a truncated varint, or a hash past 32 bits)
 */
export function decodeTenantDigest(digest: string): Set<number> {
  const bytes = Buffer.from(digest, "base64");
  const hashes = new Set<number>();
  let value = 0;
  let scale = 1;
  let previous = 0;
  for (const byte of bytes) {
    value += (byte & 0x7f) * scale;
    if (byte & 0x80) {
      scale *= 0x80;
      continue;
    }
    previous += value;
    if (previous > 0xffffffff) throw new Error("not a tenant digest: a hash past 32 bits");
    hashes.add(previous);
    value = 0;
    scale = 1;
  }
  if (scale !== 1) throw new Error("not a tenant digest: it ends inside a number");
  return hashes;
}
