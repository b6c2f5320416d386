/**
 * Plan loading at fleet scale: loadPlans on N generated tenants against merely parsing the same files with the
 * `yaml` package, in the same process. The ratio is the price of validation, positions and resolution; the target
 * is at most 3. Run directly: `node dist/bench/planLoad.js [TENANTS]`.
 */
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parse } from "yaml";

/** Tenants per generated tenants file: a realistic split of a big fleet into files a reviewer can open. */
const TENANTS_PER_FILE = 10_000;

/** One measurement: seconds for loadPlans (including loading the plans module) and for the bare YAML parse. */
export interface PlanLoadResult {
  tenants: number;
  seconds: number;
  yamlParseSeconds: number;
  ratio: number;
}

const FLEET = `fleet:
  projectNamePrefix: tenant-
residency:
  us: [aws-us-east-2, aws-us-east-1]
  eu: [aws-eu-central-1]
defaults: { residency: us, tier: free, pgVersion: 17 }
`;

const TIERS = `tiers:
  free: { compute: { min: 0.25, max: 0.25 }, suspendAfter: 5m, computeTime: 100h, activeTime: unlimited, storage: 512MiB, dataTransfer: 5GiB, writtenData: 1GiB }
  pro: { compute: { min: 0.25, max: 2 }, suspendAfter: 10m, computeTime: 750h, activeTime: unlimited, storage: 10GiB, dataTransfer: 50GiB, writtenData: 50GiB }
  enterprise: { compute: { min: 1, max: 8 }, suspendAfter: 10m, computeTime: unlimited, activeTime: unlimited, storage: 100GiB, dataTransfer: unlimited, writtenData: unlimited }
`;

/** The id of generated tenant number `n`. */
export function generatedTenantId(n: number): string {
  return `t${n.toString(36)}-${n}`;
}

/** A tenant entry in the mix a real fleet has: mostly defaults, some tiers, residencies, regions and overrides. */
function tenantYaml(n: number): string {
  const lines = [`  - id: ${generatedTenantId(n)}`];
  if (n % 3 === 1) lines.push("    tier: pro");
  else if (n % 17 === 2) lines.push("    tier: enterprise");
  if (n % 4 === 3) lines.push("    residency: eu");
  else if (n % 10 === 5) lines.push("    region: aws-us-east-1");
  if (n % 50 === 7) lines.push("    overrides: { storage: 200GiB }");
  if (n % 25 === 9) lines.push("    pgVersion: 16");
  if (n % 100 === 11) lines.push("    onRemove: delete");
  return lines.join("\n");
}

/** Writes a plans directory with `tenants` tenants and returns its path. */
export async function writeGeneratedPlans(root: string, tenants: number): Promise<string> {
  const dir = path.join(root, "plans");
  await mkdir(path.join(dir, "tenants"), { recursive: true });
  await writeFile(path.join(dir, "fleet.yaml"), FLEET);
  await writeFile(path.join(dir, "tiers.yaml"), TIERS);
  for (let first = 0, file = 0; first < tenants; first += TENANTS_PER_FILE, file++) {
    const body: string[] = ["tenants:"];
    for (let n = first; n < Math.min(first + TENANTS_PER_FILE, tenants); n++) body.push(tenantYaml(n));
    await writeFile(path.join(dir, "tenants", `part-${String(file).padStart(3, "0")}.yaml`), `${body.join("\n")}\n`);
  }
  return dir;
}

async function planFiles(dir: string): Promise<string[]> {
  const tenants = (await readdir(path.join(dir, "tenants"))).sort().map((name) => path.join(dir, "tenants", name));
  return [path.join(dir, "fleet.yaml"), path.join(dir, "tiers.yaml"), ...tenants];
}

/** Reads and parses every plan file with the `yaml` package, doing nothing else: the baseline. */
async function yamlParseOnly(dir: string): Promise<void> {
  for (const file of await planFiles(dir)) parse(await readFile(file, "utf8"));
}

/** Generates `tenants` tenants in a temporary plans directory and times loadPlans against the bare YAML parse. */
export async function benchPlanLoad(tenants: number): Promise<PlanLoadResult> {
  const root = await mkdtemp(path.join(os.tmpdir(), "neon-fleet-planload-"));
  try {
    const dir = await writeGeneratedPlans(root, tenants);
    // loadPlans runs first, so the yaml package's warm-up is charged to it, not to the baseline: a conservative ratio.
    // The plans module (zod schemas included) is loaded inside the timed window: a CLI run pays for it too.
    let started = performance.now();
    const { loadPlans } = require("../provider/plans") as typeof import("../provider/plans");
    const fleet = await loadPlans(dir);
    const seconds = (performance.now() - started) / 1000;

    started = performance.now();
    await yamlParseOnly(dir);
    const yamlParseSeconds = (performance.now() - started) / 1000;
    if (fleet.tenants.length !== tenants)
      throw new Error(`loaded ${fleet.tenants.length} tenants, generated ${tenants}`);
    return { tenants, seconds, yamlParseSeconds, ratio: seconds / yamlParseSeconds };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const tenants = Number(process.argv[2] ?? 100_000);
  benchPlanLoad(tenants).then(
    (r) =>
      console.log(
        `planLoad: ${r.tenants} tenants in ${r.seconds.toFixed(2)}s, yaml parse ${r.yamlParseSeconds.toFixed(2)}s, ratio ${r.ratio.toFixed(2)}`,
      ),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
}
