/**
 * The Pulumi project around the run: Pulumi.yaml (project name, stackConfigDir) found from the current
 * directory upwards, and the stack's config (Pulumi.<stack>.yaml, then the run's own settings on top).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { FleetError, UsageError } from "../../provider/errors";

/** Pulumi.yaml or a stack config file is missing or not understood. */
export class ProjectFileError extends FleetError {}

const projectSchema = z
  .object({ name: z.string().min(1), main: z.string().optional(), stackConfigDir: z.string().optional() })
  .loose();
const stackConfigSchema = z.object({ config: z.record(z.string(), z.unknown()).optional() }).loose();

/** The project as the engine needs it. */
export interface Project {
  name: string;
  rootDir: string;
  /** Pulumi.yaml `main`, as written (relative to rootDir), if set. */
  main?: string;
  stackConfigDir: string;
}

/** Where the program runs: its working directory and the entry point the language host gets. */
export interface ProgramLocation {
  /** The working directory of the program and of the provider processes. */
  pwd: string;
  /** The entry point, relative to pwd: a file name, or `.` for a directory. */
  entry: string;
}

/**
 * Mirrors pkg/engine/project.go getPwdMain: a `main` that is a file runs in that file's folder (so
 * `main: dist/stacks/index.js` runs in dist/stacks, and relative paths in the program and its dynamic
 * providers resolve from there); a `main` that is a folder runs in that folder; no `main` runs in the
 * project root. `main` here is Pulumi.yaml's, or the run's `program` override in its place.
 */
export function programLocation(project: Project, main = project.main): ProgramLocation {
  if (main === undefined || main === "") return { pwd: project.rootDir, entry: "." };
  const full = path.resolve(project.rootDir, main);
  let isDir: boolean;
  try {
    isDir = statSync(full).isDirectory();
  } catch (e) {
    throw new ProjectFileError(`project 'main' could not be read: ${(e as Error).message}`);
  }
  return isDir ? { pwd: full, entry: "." } : { pwd: path.dirname(full), entry: path.basename(full) };
}

/** Finds Pulumi.yaml in `from` or above. */
export function findProject(from: string): Project {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const file = path.join(dir, "Pulumi.yaml");
    if (existsSync(file)) {
      const parsed = projectSchema.safeParse(parse(readFileSync(file, "utf8")));
      const doc = "https://www.pulumi.com/docs/iac/concepts/projects/project-file/";
      if (!parsed.success) throw new ProjectFileError(`${file}: needs a \`name\`; see ${doc}`);
      const { name, main, stackConfigDir } = parsed.data;
      return {
        name,
        rootDir: dir,
        ...(main !== undefined ? { main } : {}),
        stackConfigDir: path.join(dir, stackConfigDir ?? "."),
      };
    }
    if (path.dirname(dir) === dir)
      throw new ProjectFileError(`no Pulumi.yaml in ${from} or above; run from the repository`);
  }
}

/** Stack config: plain values (strings as they are, others as JSON) and the keys that are secret. */
export interface StackConfig {
  values: Record<string, string>;
  secretKeys: Set<string>;
}

/** Qualifies a bare key with the project namespace, as Pulumi does (`plans` -> `neon-fleet:plans`). */
export function qualifyKey(project: string, key: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

/** Reads `Pulumi.<stack>.yaml` from the stack config dir (absent = empty). Secure values are refused. */
export function readStackConfig(project: Project, stack: string): StackConfig {
  const file = path.join(project.stackConfigDir, `Pulumi.${stack}.yaml`);
  const config: StackConfig = { values: {}, secretKeys: new Set() };
  if (!existsSync(file)) return config;
  const parsed = stackConfigSchema.safeParse(parse(readFileSync(file, "utf8")) ?? {});
  if (!parsed.success) throw new ProjectFileError(`${file}: \`config\` must be a map of keys to values`);
  for (const [key, value] of Object.entries(parsed.data.config ?? {})) {
    if (typeof value === "object" && value !== null && "secure" in value) {
      throw new ProjectFileError(
        `${file}: ${key} is a secure value, which only the Pulumi CLI can decrypt; pass it with --config or its environment variable`,
      );
    }
    config.values[qualifyKey(project.name, key)] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return config;
}

/** Parses `KEY=VALUE` (the `--config` flag). */
export function parseConfigFlag(project: string, flag: string): [string, string] {
  const eq = flag.indexOf("=");
  if (eq <= 0) throw new UsageError(`--config ${flag}: expected KEY=VALUE, e.g. --config neon-fleet:allowReplace=true`);
  return [qualifyKey(project, flag.slice(0, eq)), flag.slice(eq + 1)];
}
