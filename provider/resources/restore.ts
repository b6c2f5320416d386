import type { Branch } from "@neondatabase/api-client";
import { z } from "zod";
import { NeonApiError, RestoreOutsideHistoryError } from "../errors";
import type { CallContext } from "../neon";
import { backupPrefix } from "../plans/restore";
import { formatDuration } from "../plans/units";
import { neon } from "./neonAccess";

/**
 * A tenant's point-in-time restore, as TenantProject applies it. The plan's `restore: {to, token}` restores the
 * project's default branch to its own state at `to` once per token: Neon keeps the branch id and endpoint (so the
 * connection strings stay) and moves the writes after `to` to a backup branch `<tenant>-before-<token>`. The token
 * applied is recorded in the TenantProject's state, so the entry can stay in the plans as the record.
 *
 * It lives on TenantProject (not PlanQuota or a resource of its own) because it acts on what TenantProject owns,
 * the default branch behind the tenant's connection strings, and its outputs are where the backups are listed.
 */

/** How Neon words a refused restore point (outside the history window). */
const WINDOW_REFUSAL = /history|retention|window|timestamp/i;

/** The `restore` input of a TenantProject (the stack program resolves it from the plans). */
export const restoreInputSchema = z.object({
  /** RFC 3339 UTC time the default branch goes back to. */
  to: z.string().min(1),
  /** A new token restores again; the same token never does. */
  token: z.string().min(1),
  /** Backup branches kept, oldest deleted first. */
  keepBackups: z.number().int().min(0),
  /** Name of the branch that keeps the writes after `to`. */
  backupBranch: z.string().min(1),
});

/** A tenant's restore request. */
export type RestoreInput = z.infer<typeof restoreInputSchema>;

/** One `-before-` branch of the tenant: the state of the default branch before a restore. */
export interface Backup {
  name: string;
  branchId: string;
  createdAt: string;
}

/** Offline: true when the plan asks for a restore whose token has not been applied yet. */
export function restorePending(
  restore: RestoreInput | undefined,
  appliedToken: string | undefined,
): restore is RestoreInput {
  return restore !== undefined && restore.token !== appliedToken;
}

/**
 * Restores the default branch to `restore.to`, unless its backup branch already exists (an earlier run restored
 * and then failed before recording the token). Checks the history window first, so a point outside it changes
 * nothing; then trims the backups to `keepBackups`. Returns the backups that remain, oldest first.
 */
export async function applyRestore(
  projectId: string,
  defaultBranchId: string,
  tenantId: string,
  restore: RestoreInput,
): Promise<Backup[]> {
  const ctx: CallContext = { tenantId };
  const client = neon();
  const project = await client.getProjectUncached(projectId, ctx);
  if (project) checkWindow(tenantId, restore.to, project.history_retention_seconds);
  const existing = await client.listBranches(projectId, ctx);
  if (!existing.some((b) => b.name === restore.backupBranch)) {
    try {
      const point = { timestamp: restore.to, preserveUnderName: restore.backupBranch };
      await client.restoreBranchToTime(projectId, defaultBranchId, point, ctx);
    } catch (err) {
      // Neon's window moves on while we wait: its own refusal gets the same explanation.
      const refusedPoint =
        err instanceof NeonApiError && err.context.status === 400 && WINDOW_REFUSAL.test(err.problem);
      if (refusedPoint && project) {
        throw new RestoreOutsideHistoryError(tenantId, restore.to, windowOf(project.history_retention_seconds));
      }
      throw err;
    }
  }
  return trimBackups(projectId, tenantId, restore.keepBackups, ctx);
}

/** The tenant's backups, oldest first, after deleting the oldest beyond `keep`. */
async function trimBackups(projectId: string, tenantId: string, keep: number, ctx: CallContext): Promise<Backup[]> {
  const client = neon();
  const backups = backupsOf(await client.listBranches(projectId, ctx), tenantId);
  const excess = backups.slice(0, Math.max(0, backups.length - keep));
  for (const backup of excess) await client.deleteBranch(projectId, backup.branchId, ctx);
  return backups.slice(excess.length);
}

/** The tenant's `-before-` branches, oldest first. */
export function backupsOf(branches: readonly Branch[], tenantId: string): Backup[] {
  return branches
    .filter((b) => !b.default && b.name.startsWith(backupPrefix(tenantId)))
    .map((b) => ({ name: b.name, branchId: b.id, createdAt: b.created_at }))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
}

function checkWindow(tenantId: string, to: string, retentionSeconds: number): void {
  const at = Date.parse(to);
  const window = windowOf(retentionSeconds);
  if (at < Date.parse(window.from) || at > Date.now()) throw new RestoreOutsideHistoryError(tenantId, to, window);
}

function windowOf(retentionSeconds: number): { from: string; retention: string } {
  const from = new Date(Date.now() - retentionSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  return { from, retention: `history_retention_seconds ${retentionSeconds} = ${formatDuration(retentionSeconds)}` };
}
