/**
 * Runs one case of the broken-plans corpus (tests/fixtures/plans/broken/<case>/): the case's files laid over the
 * valid base plans (or alone, when the case holds a `.standalone` marker), loaded by the real loadPlans from a
 * temporary directory. Error lines are rendered relative to that directory, so expectations read like the files.
 */
import { readdirSync } from "node:fs";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PlanErrors } from "../../provider/errors";
import { loadPlans } from "../../provider/plans";

/** Where the corpus and the valid base plans live. */
export const FIXTURES = path.join(__dirname, "..", "fixtures", "plans");
/** The file of each case holding its exact expected error lines. */
export const EXPECTED_FILE = "expected.txt";

/** The case names of the corpus (synchronous: jest needs them while it collects tests). */
export function brokenCases(): string[] {
  return readdirSync(path.join(FIXTURES, "broken")).sort();
}

/** Loads a case and returns its error lines as `FILE:LINE:COL: message`, FILE relative to the plans directory. */
export async function caseErrors(name: string): Promise<string[]> {
  const caseDir = path.join(FIXTURES, "broken", name);
  const root = await mkdtemp(path.join(os.tmpdir(), `neon-fleet-${name}-`));
  try {
    const caseFiles = await readdir(caseDir);
    if (!caseFiles.includes(".standalone")) await cp(path.join(FIXTURES, "base"), root, { recursive: true });
    await cp(caseDir, root, {
      recursive: true,
      filter: (from) => ![EXPECTED_FILE, ".standalone"].includes(path.basename(from)),
    });
    try {
      await loadPlans(root);
    } catch (err) {
      if (!(err instanceof PlanErrors)) throw err;
      return err.errors.map((e) => `${path.relative(root, path.resolve(e.file))}:${e.line}:${e.col}: ${e.problem}`);
    }
    return [];
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
