/**
 * Finds and parses the files of a plans directory: fleet.yaml, tiers.yaml, tenants/*.yaml and the optional dev.yaml.
 * Any other YAML file is an error rather than silently ignored, because a misplaced tenants file would otherwise
 * read as "remove these tenants".
 */
import { readFile, readdir } from "fs/promises";
import path from "path";
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
    throw new FleetError(`plans directory ${dir} not found; pass the folder that holds fleet.yaml, tiers.yaml and tenants/`);
  });
  const tenantNames = rootNames.includes("tenants") ? (await readdir(path.join(dir, "tenants")).catch(() => [])).filter(isYaml).sort() : [];
  const files: PlanFiles = { tenants: [], errors: [] };
  const show = (...parts: string[]) => path.relative(process.cwd(), path.resolve(dir, ...parts)) || ".";

  for (const name of rootNames.filter((n) => isYaml(n) && !["fleet.yaml", "tiers.yaml", "dev.yaml"].includes(n))) {
    files.errors.push(new PlanError(show(name), 1, 1, "is not a plan file; plans are fleet.yaml, tiers.yaml, dev.yaml and tenants/*.yaml"));
  }
  for (const name of tenantNames.filter((n) => !n.endsWith(".yaml"))) {
    files.errors.push(new PlanError(show("tenants", name), 1, 1, "is not read: tenants files end in .yaml; rename it"));
  }

  const load = async (expected: string, ...parts: string[]): Promise<PlanSource | undefined> => {
    const parsed = parsePlanFile(show(...parts), await readFile(path.join(dir, ...parts)), expected);
    if (Array.isArray(parsed)) {
      files.errors.push(...parsed);
      return undefined;
    }
    return parsed;
  };
  for (const [kind, name] of [["fleet", "fleet.yaml"], ["tiers", "tiers.yaml"]] as const) {
    if (rootNames.includes(name)) files[kind] = await load(EXPECTED[kind], name);
    else files.errors.push(new PlanError(show(name), 1, 1, `is missing; every plans directory needs ${name} with ${EXPECTED[kind]}`));
  }
  for (const name of tenantNames.filter((n) => n.endsWith(".yaml"))) {
    const source = await load(EXPECTED.tenants, "tenants", name);
    if (source) files.tenants.push(source);
  }
  if (rootNames.includes("dev.yaml")) files.dev = await load(EXPECTED.dev, "dev.yaml");
  return files;
}
