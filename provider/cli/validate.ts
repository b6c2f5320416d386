import type { Command } from "commander";

/** Registers `neon-fleet validate`. */
export function registerValidate(program: Command): void {
  program.command("validate").description("(not built yet)").action(() => {
    throw new Error("validate is not built yet");
  });
}
