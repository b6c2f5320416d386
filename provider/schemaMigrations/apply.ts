/**
 * The online half of schema migrations: brings one tenant's database to the planned version. Each pending
 * migration runs in its own transaction together with its row in `neon_fleet.schema_migrations`, so a failure
 * rolls back that migration alone and the database stays at its last good version. Applied migrations are read
 * from the database first: it is the truth, so an interrupted run resumes without running anything twice.
 */
import type { Client, DatabaseError } from "pg";
import { FleetError, MigrationError } from "../errors";
import { formatVersion, migrationLabel, migrationText, type PlannedMigration } from "../plans";
import { positionIn } from "../plans/migrations";
import { withDatabase, type DatabaseTarget } from "./connections";
import { appliedDigest, firstEdited, pendingMigrations, versionOf, type AppliedMigration } from "./plan";

/** A tenant's database and the migrations planned for it. */
export interface SchemaTarget extends DatabaseTarget {
  /** Tenant id, or `dev/<branch>`; names the tenant in errors. */
  tenantId: string;
  /** Plans directory whose `migrations/` holds the SQL files. */
  plansDir: string;
  planned: PlannedMigration[];
}

/** Where a tenant's schema is: updated by {@link migrate} as each migration commits. */
export interface SchemaProgress {
  version: number;
  digest: string;
}

const SETUP = `CREATE SCHEMA IF NOT EXISTS neon_fleet;
CREATE TABLE IF NOT EXISTS neon_fleet.schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  sha256 text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/**
 * Applies the pending migrations of `target` in order, updating `progress` after each commit (so a caller that
 * catches the error knows the tenant's real version). Throws {@link MigrationError} naming the tenant, the file
 * and Postgres's message at its line:col in the file; an applied migration whose file changed is refused.
 */
export async function migrate(target: SchemaTarget, progress: SchemaProgress): Promise<void> {
  await withDatabase(target, async (client) => {
    await client.query(SETUP);
    const applied = await appliedRows(client);
    Object.assign(progress, { version: versionOf(applied), digest: appliedDigest(applied) });
    const edited = firstEdited(target.planned, applied);
    if (edited) {
      const label = formatVersion(edited.planned.version);
      throw new MigrationError(
        target.tenantId,
        progress.version,
        `migration ${label} changed after it was applied (${migrationLabel(edited.planned)}.sql sha256 ` +
          `${edited.planned.sha256.slice(0, 12)}, applied ${edited.applied.sha256.slice(0, 12)}); nothing was run: ` +
          "restore the file as applied and put the change in a new migration",
        edited.planned,
      );
    }
    for (const migration of pendingMigrations(target.planned, progress.version)) {
      await applyOne(client, target, migration, progress);
      applied.push(migration);
      Object.assign(progress, { version: migration.version, digest: appliedDigest(applied) });
    }
  }).catch((err: unknown) => {
    if (err instanceof FleetError) throw err;
    // Connecting (after the wake-up retries) or preparing neon_fleet.schema_migrations failed: nothing was applied.
    const message = (err as Error).message;
    const stays = `nothing applied, stays at ${formatVersion(progress.version)}`;
    const problem = `database ${target.database}: ${message}; ${stays}`;
    throw new MigrationError(target.tenantId, progress.version, problem);
  });
}

/** The migrations recorded in the tenant's database (its real version); creates nothing. */
export async function readApplied(target: DatabaseTarget): Promise<AppliedMigration[]> {
  return withDatabase(target, async (client) => {
    const exists = "SELECT to_regclass('neon_fleet.schema_migrations') IS NOT NULL AS exists";
    const { rows } = await client.query<{ exists: boolean }>(exists);
    return rows[0]?.exists ? appliedRows(client) : [];
  });
}

async function appliedRows(client: Client): Promise<AppliedMigration[]> {
  const select = "SELECT version, name, sha256 FROM neon_fleet.schema_migrations ORDER BY version";
  const { rows } = await client.query<AppliedMigration>(select);
  return rows;
}

async function applyOne(
  client: Client,
  target: SchemaTarget,
  migration: PlannedMigration,
  progress: SchemaProgress,
): Promise<void> {
  const { file, text } = await migrationText(target.plansDir, migration);
  try {
    await client.query("BEGIN");
    // No parameters: the simple query protocol runs every statement of the file, in this transaction.
    await client.query(text);
    await client.query("INSERT INTO neon_fleet.schema_migrations (version, name, sha256) VALUES ($1, $2, $3)", [
      migration.version,
      migration.name,
      migration.sha256,
    ]);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    const at = sqlPosition(text, (err as DatabaseError).position);
    const { message, code } = err as DatabaseError;
    throw new MigrationError(
      target.tenantId,
      progress.version,
      `${file}${at}: ${message}${code ? ` (SQLSTATE ${code})` : ""}; ` +
        `rolled back, ${target.tenantId} stays at ${formatVersion(progress.version)}`,
      migration,
    );
  }
}

/** `:LINE:COL` of Postgres's error position (1-based characters into the file), or "" when it gave none. */
export function sqlPosition(text: string, errorPosition: string | undefined): string {
  const position = Number(errorPosition);
  if (!Number.isInteger(position) || position < 1) return "";
  const { line, col } = positionIn(text, position - 1);
  return `:${line}:${col}`;
}
