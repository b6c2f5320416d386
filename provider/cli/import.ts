import type { Command } from "commander";

/** Registers `neon-fleet import`. */
export function registerImport(program: Command): void {
  program.command("import").description("(not built yet)").action(() => {
    throw new Error("import is not built yet");
  });
}
