import type { Command } from "commander";
import type * as shardLayout from "../stacks/shardLayout";

/**
 * Registers `neon-fleet shards [PLANS]`: how the stacks of a stacks directory split the fleet, checked for tenants
 * that no stack or two stacks manage. The implementation loads only when the command runs.
 */
export function registerShards(program: Command): void {
  program
    .command("shards")
    .description(
      "one line per stack of the stacks directory with its tenant count; exit 1 naming every tenant no stack or " +
        "two stacks manage (stacks are grouped by neon-fleet:apiHost, each group checked on its own)",
    )
    .argument("[plans]", "plans directory", "plans")
    .option("--stacks <dir>", "directory of the Pulumi.<stack>.yaml files", "stacks")
    .option("--json", "print [{stack, tenants, apiHost}] (a CI matrix)")
    .option(
      "--changed <base_plans_dir>",
      "only the stacks whose tenants differ from those plans (every stack when fleet.yaml or tiers.yaml changed)",
    )
    .action(async (plans: string, options: { stacks: string; json?: boolean; changed?: string }) => {
      const { runShards } = require("../stacks/shardLayout") as typeof shardLayout;
      await runShards(
        { plans, ...options },
        (text) => process.stdout.write(text),
        (line) => process.stderr.write(`${line}\n`),
      );
    });
}
