/**
 * Schema migrations of a plans directory: `migrations/NNNN_<name>.sql`, applied to every tenant's database in
 * version order. A file is identified by its version and checked by its SHA-256, so the state and the database
 * record which file was applied without holding any SQL.
 */
import { createHash } from "node:crypto";
import { isUtf8 } from "node:buffer";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { PlanError } from "../errors";

/** Folder of the plans directory holding the migrations. */
export const MIGRATIONS_DIR = "migrations";

/** `0004_add_invoices.sql`: a version of 4 or more digits, `_`, a name of lowercase letters, digits and `_`. */
const FILE_RE = /^(\d{4,})_([a-z0-9_]+)\.sql$/;

/** One migration as planned: what the state and the database record of it. */
export interface PlannedMigration {
  version: number;
  /** The part of the file name after the version: `add_invoices`. */
  name: string;
  /** SHA-256 of the file's bytes, hex. */
  sha256: string;
}

/** A migration file found on disk, valid or not yet checked. */
interface MigrationFile extends PlannedMigration {
  /** The file as shown to users: relative to the current directory. */
  file: string;
  text: string;
}

/** `0004_add_invoices`: how users see a migration (the file name without `.sql`, versions padded to 4 digits). */
export function migrationLabel(m: { version: number; name: string }): string {
  return `${formatVersion(m.version)}_${m.name}`;
}

/** `0004`. */
export function formatVersion(version: number): string {
  return String(version).padStart(4, "0");
}

/** SHA-256 of a migration's bytes, hex. */
export function migrationDigest(bytes: Buffer | string): string {
  return createHash("sha256")
    .update(typeof bytes === "string" ? bytes : new Uint8Array(bytes))
    .digest("hex");
}

/**
 * Reads and validates `dir/migrations` (absent = no migrations). Every problem is reported as a plan error:
 * a name that is not `NNNN_name.sql`, a duplicate version, a gap in the versions (they are contiguous from the
 * first), an empty file, bytes that are not UTF-8 (at the first bad byte).
 */
export async function readMigrations(dir: string, errors: PlanError[]): Promise<PlannedMigration[]> {
  const found = await readMigrationFiles(dir, errors);
  return found.map(({ version, name, sha256 }) => ({ version, name, sha256 }));
}

/** The text of migration `version` in `dir/migrations`, checked against the SHA-256 the plan recorded. */
export async function migrationText(dir: string, planned: PlannedMigration): Promise<{ file: string; text: string }> {
  const errors: PlanError[] = [];
  const files = await readMigrationFiles(dir, errors);
  const file = files.find((f) => f.version === planned.version);
  const shown = path.relative(process.cwd(), path.join(dir, MIGRATIONS_DIR, `${migrationLabel(planned)}.sql`));
  if (!file) {
    const missing = `migration ${formatVersion(planned.version)} is missing from the plans`;
    throw errors[0] ?? new PlanError(shown, 1, 1, missing);
  }
  if (file.sha256 !== planned.sha256) {
    const digests = `sha256 ${file.sha256.slice(0, 12)}, planned ${planned.sha256.slice(0, 12)}`;
    throw new PlanError(file.file, 1, 1, `changed since the plan was read (${digests}); run again`);
  }
  return { file: file.file, text: file.text };
}

async function readMigrationFiles(dir: string, errors: PlanError[]): Promise<MigrationFile[]> {
  const folder = path.join(dir, MIGRATIONS_DIR);
  const names = await readdir(folder).catch(() => [] as string[]);
  const show = (name: string) => path.relative(process.cwd(), path.join(folder, name));
  const files: MigrationFile[] = [];
  for (const name of names.sort()) {
    const match = FILE_RE.exec(name);
    if (!match) {
      const why = name.endsWith(".sql")
        ? "is not a migration name; use NNNN_name.sql (4+ digit version, name of a-z, 0-9 and _), " +
          "e.g. 0001_create_orders.sql"
        : "is not a migration; the migrations folder holds only NNNN_name.sql files";
      errors.push(new PlanError(show(name), 1, 1, why));
      continue;
    }
    const bytes = await readFile(path.join(folder, name));
    const problem = textProblem(bytes);
    if (problem) {
      errors.push(new PlanError(show(name), problem.line, problem.col, problem.message));
      continue;
    }
    const text = bytes.toString("utf8");
    files.push({ version: Number(match[1]), name: match[2]!, sha256: migrationDigest(bytes), file: show(name), text });
  }
  files.sort((a, b) => a.version - b.version);
  files.forEach((f, i) => {
    const before = files[i - 1];
    if (!before) return;
    if (before.version === f.version) {
      const problem = `version ${formatVersion(f.version)} is also ${path.basename(before.file)}; versions are unique`;
      errors.push(new PlanError(f.file, 1, 1, problem));
    } else if (f.version !== before.version + 1) {
      const missing = formatVersion(before.version + 1);
      const order = `version ${formatVersion(f.version)} follows ${formatVersion(before.version)}`;
      errors.push(new PlanError(f.file, 1, 1, `${order}; versions are contiguous (add ${missing} or renumber)`));
    }
  });
  return files;
}

/** Why the bytes are not a usable migration (empty, or not UTF-8 at line:col), or undefined. */
function textProblem(bytes: Buffer): { line: number; col: number; message: string } | undefined {
  if (bytes.toString("utf8").trim() === "") {
    return { line: 1, col: 1, message: "is empty; a migration holds at least one SQL statement" };
  }
  if (isUtf8(bytes)) return undefined;
  // The longest valid prefix, walked one whole character (1 to 4 bytes) at a time.
  let good = 0;
  for (;;) {
    const size = [1, 2, 3, 4].find((n) => good + n <= bytes.length && isUtf8(bytes.subarray(good, good + n)));
    if (size === undefined) break;
    good += size;
  }
  const valid = bytes.subarray(0, good).toString("utf8");
  const { line, col } = positionIn(valid, valid.length);
  return { line, col, message: "is not UTF-8 text here; save the file as UTF-8" };
}

/** 1-based line and column of character offset `offset` (0-based) in `text`. */
export function positionIn(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, Math.max(0, offset));
  const lines = before.split("\n");
  return { line: lines.length, col: lines.at(-1)!.length + 1 };
}
