/**
 * The offline half of schema migrations: what is pending for a tenant, and whether the migrations it already
 * has still match the plans. Pure functions over versions and SHA-256s; preview and diff use nothing else.
 */
import { createHash } from "node:crypto";
import type { PlannedMigration } from "../plans";

/** What a tenant's database (or its recorded state) has applied, in version order. */
export type AppliedMigration = Pick<PlannedMigration, "version" | "sha256"> & { name?: string };

/** The planned migrations a tenant at `version` still needs, in order. */
export function pendingMigrations(planned: readonly PlannedMigration[], version: number): PlannedMigration[] {
  return planned.filter((m) => m.version > version);
}

/**
 * One SHA-256 over the versions and SHA-256s of applied migrations: the state records it instead of one entry per
 * migration, and diff compares it with the plans' files up to the recorded version to notice an edited file.
 */
export function appliedDigest(applied: readonly AppliedMigration[]): string {
  const lines = [...applied].sort((a, b) => a.version - b.version).map((m) => `${m.version}:${m.sha256}`);
  return createHash("sha256").update(lines.join("\n")).digest("hex");
}

/**
 * Whether the plans still hold the files a tenant at `version` with `digest` applied (false when one was edited,
 * removed or renumbered after it was applied).
 */
export function plannedDigestMatches(planned: readonly PlannedMigration[], version: number, digest: string): boolean {
  return appliedDigest(planned.filter((m) => m.version <= version)) === digest;
}

/** The first applied migration whose file in the plans differs from what was applied, if any. */
export function firstEdited(
  planned: readonly PlannedMigration[],
  applied: readonly AppliedMigration[],
): { planned: PlannedMigration; applied: AppliedMigration } | undefined {
  const byVersion = new Map(planned.map((m) => [m.version, m]));
  for (const row of [...applied].sort((a, b) => a.version - b.version)) {
    const file = byVersion.get(row.version);
    if (file && file.sha256 !== row.sha256) return { planned: file, applied: row };
  }
  return undefined;
}

/** The version a database is at: its highest applied migration (0 = none). */
export function versionOf(applied: readonly AppliedMigration[]): number {
  return applied.reduce((max, m) => Math.max(max, m.version), 0);
}

/**
 * Whether a tenant recorded at `version` with `digest` needs its database touched: a planned migration is
 * beyond its version, or the plans' files up to its version differ from what it applied (the apply then names
 * the edited file). Plans that stop short of the recorded version (migrations removed from plans) are not an edit.
 */
export function schemaNeedsApply(planned: readonly PlannedMigration[], version: number, digest: string): boolean {
  if (pendingMigrations(planned, version).length > 0) return true;
  const newest = planned.reduce((max, m) => Math.max(max, m.version), 0);
  return newest >= version && !plannedDigestMatches(planned, version, digest);
}
