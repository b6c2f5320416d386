import type { Command } from "commander";
import { planJsonSchema } from "../provider/plans";

/** Registers `neon-fleet schema`: prints the JSON Schema of the plan files for editors and CI linters. */
export function registerSchema(program: Command): void {
  program
    .command("schema")
    .description(
      "print the JSON Schema of the plan files (fleet.yaml, tiers.yaml, tenants/*.yaml, dev.yaml; one $defs entry per kind)",
    )
    .action(() => {
      process.stdout.write(`${JSON.stringify(planJsonSchema(), null, 2)}\n`);
    });
}
