import type { Command } from "commander";
import { describeRestoreEdit, planRestore } from "../tools/restore";

/** Registers `neon-fleet restore TENANT --to TIME [--token T] [--plans DIR]`: plans a point-in-time restore. */
export function registerRestore(program: Command): void {
  program
    .command("restore")
    .description("write a point-in-time restore of TENANT into its tenants file; `pulumi up` applies it")
    .argument("<tenant>", "tenant id")
    .requiredOption("--to <time>", "RFC 3339 time with zone, e.g. 2026-11-30T10:00:00Z (not in the future)")
    .option("--token <token>", "names this restore; a new token restores again (default: from the time)")
    .option("--plans <dir>", "plans directory", "plans")
    .action(async (tenantId: string, options: { to: string; token?: string; plans: string }) => {
      const edit = await planRestore({ tenantId, to: options.to, token: options.token, plansDir: options.plans });
      process.stdout.write(describeRestoreEdit(edit));
    });
}
