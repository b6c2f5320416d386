import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { FleetError } from "../provider/errors";

/** Registers `neon-fleet migrations status [STATE_JSON] [--json]`: tenants' schema versions from the stack state. */
export function registerMigrations(program: Command): void {
  const migrations = program.command("migrations").description("schema migrations across the fleet");
  migrations
    .command("status")
    .description("print tenants' schema versions from the stack state, grouped: `318 at 0004, 2 failed at 0003: acme`")
    .argument("[STATE_JSON]", "`pulumi stack export` output or an engine double state file; - (default): stdin", "-")
    .option("--json", "print every tenant's version and failure as JSON")
    .action(async (file: string, options: { json?: boolean }) => {
      // Loaded on use, like every command's implementation.
      const status =
        require("../provider/schemaMigrations/status") as typeof import("../provider/schemaMigrations/status");
      const { readSchemaStatus, renderSchemaStatus } = status;
      const report = readSchemaStatus(await readState(file), file);
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderSchemaStatus(report));
    });
}

async function readState(file: string): Promise<string> {
  try {
    if (file !== "-") return await readFile(file, "utf8");
    let text = "";
    process.stdin.setEncoding("utf8");
    for await (const chunk of process.stdin) text += chunk as string;
    return text;
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new FleetError(`${file}: cannot read the state (${reason})`);
  }
}
