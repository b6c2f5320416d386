import type { Command } from "commander";

/** Registers `neon-fleet emulator`. */
export function registerEmulator(program: Command): void {
  program.command("emulator").description("(not built yet)").action(() => {
    throw new Error("emulator is not built yet");
  });
}
