import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { PreviewFileError } from "../provider/errors";
import { summarizePreviews } from "../tools/summarize";

/**
 * Registers `neon-fleet summarize PREVIEW_JSON...`: the pull-request summary of a preview, or of several stacks'
 * previews as one (README "CI").
 */
export function registerSummarize(program: Command): void {
  program
    .command("summarize")
    .description("print a Markdown fleet summary of a `pulumi preview --json` document")
    .argument("<PREVIEW_JSON...>", "the preview document (- for stdin); several stacks' previews make one summary")
    .action(async (files: string[]) => {
      const previews = await Promise.all(files.map(async (file) => ({ text: await readPreview(file), file })));
      process.stdout.write(summarizePreviews(previews));
    });
}

async function readPreview(file: string): Promise<string> {
  try {
    return file === "-" ? await readStdin() : await readFile(file, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new PreviewFileError(file, `cannot read the preview document (${reason})`);
  }
}

async function readStdin(): Promise<string> {
  let text = "";
  process.stdin.setEncoding("utf8");
  for await (const chunk of process.stdin) text += chunk as string;
  return text;
}
