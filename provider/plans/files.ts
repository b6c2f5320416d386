/**
 * Finds and parses the files of a plans directory: fleet.yaml, tiers.yaml, tenants/*.yaml and the optional dev.yaml.
 * Any other YAML file is an error rather than silently ignored, because a misplaced tenants file would otherwise
 * read as "remove these tenants".
 */
import { readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { FleetError, PlanError } from "../errors";
import { parsePlanFile, type PlanSource } from "./source";

/** The parsed files of a plans directory; a file that could not be parsed is absent and its problems are in `errors`. */
export interface PlanFiles {
  fleet?: PlanSource;
  tiers?: PlanSource;
  /** tenants/*.yaml, sorted by file name. */
  tenants: PlanSource[];
  dev?: PlanSource;
  errors: PlanError[];
}

const EXPECTED = {
  fleet: "keys fleet, residency and defaults",
  tiers: "the key tiers",
  tenants: "the key tenants (and optionally defaults)",
  dev: "keys project and branches",
};

const isYaml = (name: string) => /\.ya?ml$/i.test(name);

/** Reads every plan file of `dir`. Throws a {@link FleetError} only when `dir` itself is missing. */
export async function readPlanFiles(dir: string): Promise<PlanFiles> {
  const rootNames = await readdir(dir).catch(() => {
    throw new FleetError(
      `plans directory ${dir} not found; pass the folder that holds fleet.yaml, tiers.yaml and tenants/`,
    );
  });
  const files: PlanFiles = { tenants: [], errors: [] };
  const show = (...parts: string[]) => path.relative(process.cwd(), path.resolve(dir, ...parts)) || ".";
  const tenantNames = await readTenantsFolder(dir, rootNames, show, files.errors);

  for (const name of rootNames.filter((n) => isYaml(n) && !["fleet.yaml", "tiers.yaml", "dev.yaml"].includes(n))) {
    files.errors.push(
      new PlanError(
        show(name),
        1,
        1,
        "is not a plan file; plans are fleet.yaml, tiers.yaml, dev.yaml and tenants/*.yaml",
      ),
    );
  }
  for (const name of tenantNames.filter((n) => isYaml(n) && !n.endsWith(".yaml"))) {
    files.errors.push(new PlanError(show("tenants", name), 1, 1, "is not read: tenants files end in .yaml; rename it"));
  }

  const load = async (expected: string, ...parts: string[]): Promise<PlanSource | undefined> => {
    const bytes = await readFile(path.join(dir, ...parts)).catch((err: NodeJS.ErrnoException) => err);
    if (!Buffer.isBuffer(bytes)) {
      files.errors.push(new PlanError(show(...parts), 1, 1, unreadable(bytes)));
      return undefined;
    }
    const parsed = parsePlanFile(show(...parts), bytes, expected);
    if (Array.isArray(parsed)) {
      files.errors.push(...parsed);
      return undefined;
    }
    return parsed;
  };
  for (const [kind, name] of [
    ["fleet", "fleet.yaml"],
    ["tiers", "tiers.yaml"],
  ] as const) {
    if (rootNames.includes(name)) files[kind] = await load(EXPECTED[kind], name);
    else
      files.errors.push(
        new PlanError(show(name), 1, 1, `is missing; every plans directory needs ${name} with ${EXPECTED[kind]}`),
      );
  }
  for (const name of tenantNames.filter((n) => n.endsWith(".yaml"))) {
    const source = await load(EXPECTED.tenants, "tenants", name);
    if (source) files.tenants.push(source);
  }
  if (rootNames.includes("dev.yaml")) files.dev = await load(EXPECTED.dev, "dev.yaml");
  return files;
}

/**
 * The entries of tenants/ that are files, sorted. A missing, unreadable or non-folder `tenants` is an error rather
 * than "no tenants": an `up` would read it as "remove every tenant". Subfolders are refused, not read: a tenants
 * file moved into one would otherwise vanish from the plans; each YAML file found in one is named.
 */
async function readTenantsFolder(
  dir: string,
  rootNames: string[],
  show: (...parts: string[]) => string,
  errors: PlanError[],
): Promise<string[]> {
  const folder = path.join(dir, "tenants");
  const missing = (problem: string) => {
    errors.push(new PlanError(show("tenants"), 1, 1, problem));
    return [];
  };
  if (!rootNames.includes("tenants")) {
    const fix = "every plans directory needs a tenants/ folder of tenants/*.yaml files (an empty fleet: tenants: [])";
    return missing(`is missing; ${fix}`);
  }
  const kind = await stat(folder).catch((err: NodeJS.ErrnoException) => err.code ?? "unreadable");
  if (kind === "ENOENT") {
    return missing("is a link to nothing; point it at the folder of tenants files or replace it with that folder");
  }
  if (typeof kind === "string") return missing(`cannot be read (${kind}); check its permissions`);
  if (!kind.isDirectory()) {
    return missing("is a file, not a folder; tenants files live in the folder tenants/ (tenants/*.yaml)");
  }
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => undefined);
  if (!entries) return missing("cannot be read; check its permissions");
  const names: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory()) {
      for (const nested of await yamlFilesUnder(path.join(folder, entry.name))) {
        const problem = "is not read: tenants files live directly in tenants/, not in subfolders; move it up";
        errors.push(new PlanError(show("tenants", entry.name, nested), 1, 1, problem));
      }
    } else names.push(entry.name);
  }
  return names.filter(isYaml).sort();
}

/** YAML files anywhere under `folder`, as paths relative to it, sorted. */
async function yamlFilesUnder(folder: string, prefix = ""): Promise<string[]> {
  const entries = await readdir(path.join(folder, prefix), { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) found.push(...(await yamlFilesUnder(folder, relative)));
    else if (isYaml(entry.name)) found.push(relative);
  }
  return found.sort();
}

/** Why a plan file could not be read, in one line (no stack, no absolute path). */
function unreadable(err: NodeJS.ErrnoException): string {
  if (err.code === "ENOENT") return "is a link to nothing; point it at a plan file or remove it";
  if (err.code === "EACCES" || err.code === "EPERM") {
    return `cannot be read (${err.code}: permission denied); make it readable`;
  }
  if (err.code === "EISDIR") return "is a folder, not a plan file";
  return `cannot be read (${err.code ?? err.message.split("\n")[0]})`;
}
