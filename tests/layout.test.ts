import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/** What each layer may import (README "Layout"); tests and bench may import anything. */
const ALLOWED: Record<string, string[]> = {
  provider: ["provider"],
  stacks: ["stacks", "provider"],
  tools: ["tools", "provider"],
  emulator: ["emulator"],
  cli: ["cli", "provider", "tools", "stacks", "emulator"],
};

const root = path.join(__dirname, "..");

function sourcesOf(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourcesOf(file);
    return name.endsWith(".ts") ? [file] : [];
  });
}

/** The top-level folders a source file imports from (relative imports only; packages are not layers). */
function importedLayers(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/(?:from |require\(|import\()"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]!);
  return specifiers.map((s) => path.relative(root, path.resolve(path.dirname(file), s)).split(path.sep)[0]!);
}

describe("the layers of the repository", () => {
  it.each(Object.keys(ALLOWED))("%s imports only the layers it may", (layer) => {
    const crossings = sourcesOf(path.join(root, layer)).flatMap((file) =>
      importedLayers(file)
        .filter((imported) => !ALLOWED[layer]!.includes(imported))
        .map((imported) => `${path.relative(root, file)} -> ${imported}/`),
    );
    expect(crossings).toEqual([]);
  });
});
