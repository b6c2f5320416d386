/**
 * The Pulumi project around the run: Pulumi.yaml (project name, stackConfigDir) found from the current
 * directory upwards, and the stack's config (Pulumi.<stack>.yaml, then the run's own settings on top).
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { FleetError, UsageError } from "../../provider/errors";

/** Pulumi.yaml or a stack config file is missing or not understood. */
export class ProjectFileError extends FleetError {}

const projectSchema = z.object({ name: z.string().min(1), stackConfigDir: z.string().optional() }).loose();
const stackConfigSchema = z.object({ config: z.record(z.string(), z.unknown()).optional() }).loose();

/** The project as the engine needs it. */
export interface Project {
  name: string;
  rootDir: string;
  stackConfigDir: string;
}

/** Finds Pulumi.yaml in `from` or above. */
export function findProject(from: string): Project {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const file = path.join(dir, "Pulumi.yaml");
    if (existsSync(file)) {
      const parsed = projectSchema.safeParse(parse(readFileSync(file, "utf8")));
      if (!parsed.success) throw new ProjectFileError(`${file}: needs a \`name\`; see SPEC 2`);
      return { name: parsed.data.name, rootDir: dir, stackConfigDir: path.join(dir, parsed.data.stackConfigDir ?? ".") };
    }
    if (path.dirname(dir) === dir) throw new ProjectFileError(`no Pulumi.yaml in ${from} or above; run from the repository`);
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
      throw new ProjectFileError(`${file}: ${key} is a secure value, which only the Pulumi CLI can decrypt; pass it with --config or its environment variable`);
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
