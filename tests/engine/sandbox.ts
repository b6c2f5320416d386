/**
 * A throwaway stack for the engine double's tests: the fixture program (tests/fixtures/engine, compiled to
 * dist/ by `npm test`), its spec, state file, preview document, the provider's call log and its "cloud".
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { SpecResource } from "../fixtures/engine/spec";
import { runEngine, type EngineRunOptions, type EngineRunResult } from "./index";

/** One provider call as the fixture provider logged it. */
export interface CallEntry {
  method: string;
  name: string;
  pid: number;
  cwd: string;
  mark?: string;
  concurrent?: number;
  hasUpstream?: boolean;
  olds?: string;
  news?: string;
}

export const root = path.resolve(__dirname, "../..");
export const program = path.join(root, "dist/tests/fixtures/engine/program.js");
export const TYPE = "pulumi-nodejs:dynamic/fixture:Thing";
export const urn = (name: string): string => `urn:pulumi:enginetest::neon-fleet::${TYPE}::${name}`;
export const stackUrn = "urn:pulumi:enginetest::neon-fleet::pulumi:pulumi:Stack::neon-fleet-enginetest";

/** A throwaway stack: spec file, state file, the provider's call log and its "cloud". */
export class Sandbox {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), "engine-double-"));
  readonly state = path.join(this.dir, "state.json");
  readonly json = path.join(this.dir, "preview.json");
  readonly spec = path.join(this.dir, "spec.json");
  readonly log = path.join(this.dir, "calls.log");
  readonly world = path.join(this.dir, "world.json");

  /** Runs one engine command over `resources`; returns the result and the provider calls it caused. */
  async run(
    command: EngineRunOptions["command"],
    resources: SpecResource[],
    extra: Partial<EngineRunOptions> = {},
  ): Promise<EngineRunResult & { calls: string[] }> {
    writeFileSync(this.spec, JSON.stringify({ resources }));
    rmSync(this.log, { force: true });
    const result = await runEngine({
      command,
      stateFile: this.state,
      jsonOut: this.json,
      program,
      stack: "enginetest",
      ...extra,
      config: { "fixture:spec": this.spec, ...extra.config },
      env: { ...this.env(), ...extra.env },
    });
    return { ...result, calls: this.calls() };
  }

  env(): Record<string, string> {
    return { FIXTURE_LOG: this.log, FIXTURE_WORLD: this.world };
  }

  /** Provider calls as `method name`, in the order the provider received them. */
  calls(): string[] {
    return this.entries().map(({ method, name }) => `${method} ${name}`);
  }

  /** Provider calls with everything the fixture provider recorded about them. */
  entries(): CallEntry[] {
    if (!existsSync(this.log)) return [];
    return readFileSync(this.log, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as CallEntry);
  }

  cloud(): Record<string, string> {
    return existsSync(this.world) ? (JSON.parse(readFileSync(this.world, "utf8")) as Record<string, string>) : {};
  }

  stateUrns(): string[] {
    return (JSON.parse(readFileSync(this.state, "utf8")) as { resources: { urn: string }[] }).resources.map(
      (r) => r.urn,
    );
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
