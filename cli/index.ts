import { Command, CommanderError } from "commander";
import { FleetError } from "../provider/errors";
import { redactUrlsIn } from "../provider/redact";
import { registerEmulator } from "./emulator";
import { registerImport } from "./import";
import { registerMigrations } from "./migrations";
import { registerRestore } from "./restore";
import { registerSchema } from "./schema";
import { registerShards } from "./shards";
import { registerSummarize } from "./summarize";
import { registerUsage } from "./usage";
import { registerValidate } from "./validate";

/** Builds the `neon-fleet` command line; one file per command in this folder. */
export function buildProgram(): Command {
  const program = new Command("neon-fleet")
    .description("A fleet of Neon projects, one per tenant, as code-reviewed infrastructure")
    .showHelpAfterError()
    .exitOverride();
  const commands = [
    registerValidate,
    registerSchema,
    registerSummarize,
    registerEmulator,
    registerImport,
    registerUsage,
    registerShards,
    registerRestore,
    registerMigrations,
  ];
  for (const register of commands) {
    register(program);
  }
  return program;
}

/**
 * Runs the CLI. Known errors print as one line and set the exit code; an unexpected error also prints one
 * line (the stack only with NEON_FLEET_DEBUG=1) because a stack trace tells a user nothing they can fix.
 */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    process.exitCode = reportError(err);
  }
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode;
  if (err instanceof FleetError) {
    process.stderr.write(`${err.message}\n`);
    return err.exitCode;
  }
  const message = redactUrlsIn(err instanceof Error ? err.message : String(err));
  process.stderr.write(`error: ${message.split("\n")[0]}\n`);
  if (process.env.NEON_FLEET_DEBUG === "1" && err instanceof Error) {
    process.stderr.write(`${redactUrlsIn(err.stack ?? "")}\n`);
  }
  return 1;
}
