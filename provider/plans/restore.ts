/**
 * Names of a tenant's point-in-time restores. A restore keeps the branch's writes after the restore point on a
 * backup branch `<tenant id>-before-<token>`; the stack program, the summary and `neon-fleet restore` all derive
 * that name here so a reviewer reads the same name Neon will show.
 */
import { createHash } from "node:crypto";

/** Neon accepts branch names up to 256 characters; backups stay short enough to read in a console list. */
const MAX_BACKUP_NAME = 63;

/** `<tenant id>-before-<token>`, lowercased, characters Neon's branch names refuse replaced, shortened with a hash. */
export function backupBranchName(tenantId: string, token: string): string {
  const cleanToken =
    token
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "restore";
  const full = `${tenantId}-before-${cleanToken}`;
  if (full.length <= MAX_BACKUP_NAME) return full;
  // Two long tokens sharing a prefix must still name two branches: keep a hash of the whole token.
  const hash = createHash("sha256").update(token).digest("hex").slice(0, 8);
  return `${full.slice(0, MAX_BACKUP_NAME - hash.length - 1).replace(/[-._]+$/, "")}-${hash}`;
}

/** The backup-branch marker: branches whose name has it are the tenant's restore backups. */
export function backupPrefix(tenantId: string): string {
  return `${tenantId}-before-`;
}

/** A readable default token for a restore to `to` (UTC): `2026-11-30T10:00:00Z` -> `20261130-100000`. */
export function defaultRestoreToken(to: string): string {
  const iso = new Date(Date.parse(to)).toISOString();
  return `${iso.slice(0, 10).replace(/-/g, "")}-${iso.slice(11, 19).replace(/:/g, "")}`;
}
