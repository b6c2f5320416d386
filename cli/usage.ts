import type { Command } from "commander";
import { configureNeon, neon } from "../provider/neon";
import { loadPlans } from "../provider/plans";
import { measureUsage, renderUsageTable } from "../tools/usage";

/** Registers `neon-fleet usage [PLANS_DIR]`: consumption this month against every tenant's quota. */
export function registerUsage(program: Command): void {
  program
    .command("usage")
    .description(
      "each tenant's consumption this month against its tier's quota, tenants at or over 80% of a limit first",
    )
    .argument("[dir]", "plans directory", "plans")
    .option("--api <url>", "Neon API base URL (default NEON_API_HOST, else Neon's own)")
    .option("--json", "print the report as JSON (for dashboards)")
    .option("--transfer", "also read each project's data transfer (one API call per tenant)")
    .action(async (dir: string, options: { api?: string; json?: boolean; transfer?: boolean }) => {
      const fleet = await loadPlans(dir);
      configureNeon({ apiHost: options.api, orgId: fleet.org });
      const report = await measureUsage({ fleet, client: neon(), transfer: options.transfer });
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderUsageTable(report));
    });
}
