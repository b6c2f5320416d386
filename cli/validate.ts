import type { Command } from "commander";
import { loadPlans } from "../provider/plans";

/** Registers `neon-fleet validate [DIR]`: checks every plan file and prints a one-line summary, or every problem. */
export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description(
      "check the plan files; prints `ok: N tenants, T tiers, R regions` (R = distinct regions across residency groups) or every problem as FILE:LINE:COL: message (exit 1)",
    )
    .argument("[dir]", "plans directory", "plans")
    .action(async (dir: string) => {
      const fleet = await loadPlans(dir);
      process.stdout.write(
        `ok: ${fleet.tenants.length} tenants, ${Object.keys(fleet.tiers).length} tiers, ${fleet.regions.length} regions\n`,
      );
    });
}
