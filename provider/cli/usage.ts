import type { Command } from "commander";

/** Registers `neon-fleet usage`. */
export function registerUsage(program: Command): void {
  program.command("usage").description("(not built yet)").action(() => {
    throw new Error("usage is not built yet");
  });
}
