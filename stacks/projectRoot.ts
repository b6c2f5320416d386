import { existsSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

/**
 * The folder holding Pulumi.yaml. Pulumi runs the program in the folder of `main` (dist/stacks, see the engine's
 * getPwdMain), not the project root; the language host passes the root, and older ones do not, so walk up then.
 */
export function projectRoot(from: string = process.cwd()): string {
  // Outside a Pulumi run the SDK answers a placeholder, hence the checks.
  const given = pulumi.runtime.getRootDirectory();
  if (path.isAbsolute(given) && existsSync(path.join(given, "Pulumi.yaml"))) return given;
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from);
  }
}
