import type { Command } from "commander";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { configureNeon, DEFAULT_API_HOST, neon } from "../provider/neon";
import { loadPlans } from "../provider/plans";
import { redactUrl } from "../provider/redact";
import { importFleet } from "../tools/fleetImport";
import { withTiers } from "../tools/fleetImport/generatedTiers";
import { openOutput } from "../tools/fleetImport/output";

/** Registers `neon-fleet import`: tenants YAML with `adopt:` for every project the plans do not manage yet. */
export function registerImport(program: Command): void {
  program
    .command("import")
    .description("write tenants YAML (with adopt: ids) for the Neon projects not yet in the plans; progress on stderr")
    .option("--api <url>", "Neon API base URL (default NEON_API_HOST, else Neon's own)")
    .option("--out <file>", "write to this new file instead of stdout")
    .option("--plans <dir>", "plans directory the tenants are added to", "plans")
    .action(async (options: { api?: string; out?: string; plans: string }) => {
      const fleet = await loadPlans(options.plans);
      configureNeon({ apiHost: options.api, orgId: fleet.org });
      const client = neon();
      const output = openOutput(options.out);
      try {
        await importFleet({
          fleet,
          client,
          source: redactUrl(options.api ?? process.env.NEON_API_HOST ?? DEFAULT_API_HOST),
          write: (chunk) => output.write(chunk),
          report: (line) => process.stderr.write(`${line}\n`),
          // Written after the listing, so an import that fails part way leaves tiers.yaml as it was.
          addTiers: async (tiers) => {
            const file = path.join(options.plans, "tiers.yaml");
            await writeFile(file, withTiers(await readFile(file, "utf8"), tiers));
          },
        });
        await output.finish();
      } catch (err) {
        await output.abort();
        throw err;
      }
    });
}
