import type { Command } from "commander";

/** Registers `neon-fleet summarize`. */
export function registerSummarize(program: Command): void {
  program.command("summarize").description("(not built yet)").action(() => {
    throw new Error("summarize is not built yet");
  });
}
