import { join } from "node:path";
import type { Command } from "commander";
import type { DatabaseBackend } from "../emulator/databaseBackend";
import { FleetError, UsageError } from "../provider/errors";

/** The emulator, loaded when this command runs: the other commands (`validate`, ...) never load it. */
function emulator() {
  return {
    ...(require("../emulator/index") as typeof import("../emulator/index")),
    ...(require("../emulator/faults") as typeof import("../emulator/faults")),
    ...(require("../emulator/errors") as typeof import("../emulator/errors")),
  };
}

interface EmulatorFlags {
  port: string;
  state?: string;
  rate?: string;
  burst?: string;
  faults?: string;
  opMs?: string;
  projectLimit?: string;
  branchLimit?: string;
  apiKey?: string;
  orgLimit: string[];
  orgKey?: string;
  postgres?: boolean;
}

/** `--org-limit ORG=N` flags as a map, or a UsageError naming the bad one. */
function orgLimitFlags(values: string[]): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const value of values) {
    const match = /^([a-z0-9-]{1,60})=(\d+)$/.exec(value);
    if (!match)
      throw new UsageError(`--org-limit must be ORG=N (an organization id and a whole number), got "${value}"`);
    limits[match[1]!] = Number(match[2]);
  }
  return limits;
}

/** A whole number flag within bounds, or a UsageError naming the flag. */
function intFlag(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be a whole number >= ${min}, got "${value}"`);
  return n;
}

/**
 * Loads the real-Postgres data plane only when asked for, so the emulator runs without it (and without
 * PGlite loaded). A lazy require resolves both from dist/ and from sources under ts-jest.
 */
async function loadPostgresBackend(dataDir: string | undefined): Promise<DatabaseBackend> {
  let mod: { createPostgresBackend?: (options: { dataDir?: string }) => Promise<DatabaseBackend> };
  try {
    mod = require(join(__dirname, "../emulator/postgres")) as typeof mod;
  } catch (err) {
    throw new FleetError(
      `--postgres: the Postgres data plane is not available (${(err as Error).message.split("\n")[0]})`,
    );
  }
  if (!mod.createPostgresBackend)
    throw new FleetError("--postgres: emulator/postgres does not export createPostgresBackend");
  return mod.createPostgresBackend({ dataDir });
}

/** Registers `neon-fleet emulator`: the local Neon API for demos, tests and benchmarks (README "The Neon emulator"). */
export function registerEmulator(program: Command): void {
  program
    .command("emulator")
    .description("run a local emulator of the Neon v2 API")
    .option("--port <n>", "TCP port on 127.0.0.1 (0 = pick a free one)", "0")
    .option("--state <file>", "keep projects in this JSON file across restarts")
    .option("--rate <perMin>", "requests per minute per API key", "700")
    .option("--burst <perS>", "requests per second per route", "40")
    .option("--faults <spec>", "inject faults: 503=P,drop=P,late=P,late-ms=MS,latency=MS")
    .option("--op-ms <n>", "how long each operation runs, in ms", "300")
    .option("--project-limit <n>", "projects allowed per account", "1000")
    .option("--branch-limit <n>", "branches allowed per project", "5000")
    .option("--api-key <key>", "accept only this API key (default: any non-empty key)")
    .option(
      "--org-limit <org=n>",
      "projects allowed in one organization (repeatable)",
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option("--org-key <org>", "the API key is scoped to this organization (project transfers get 403)")
    .option("--postgres", "back every branch with a real local Postgres database")
    // A bad flag is one line on stderr and exit 2, like every other usage error of this command.
    .showHelpAfterError(false)
    .configureOutput({ writeErr: () => undefined })
    .exitOverride((err) => {
      if (err.exitCode === 0) throw err;
      throw new UsageError(err.message.replace(/^error: /, "emulator: "));
    })
    .action((flags: EmulatorFlags) => runEmulator(flags).catch(asFleetError));
}

/** The emulator's own user errors as the CLI's: one line, exit 2 for usage errors, 1 otherwise. */
function asFleetError(err: unknown): never {
  if (err instanceof emulator().EmulatorError)
    throw err.usage ? new UsageError(err.message) : new FleetError(err.message);
  throw err;
}

/** Starts the emulator from the command's flags and serves until SIGINT or SIGTERM. */
async function runEmulator(flags: EmulatorFlags): Promise<void> {
  const { parseFaults, startEmulator } = emulator();
  const options = {
    port: intFlag("port", flags.port, 0),
    stateFile: flags.state,
    ratePerMinute: intFlag("rate", flags.rate, 1),
    burstPerSecond: intFlag("burst", flags.burst, 1),
    faults: flags.faults === undefined ? undefined : parseFaults(flags.faults),
    opMs: intFlag("op-ms", flags.opMs, 0),
    projectLimit: intFlag("project-limit", flags.projectLimit, 0),
    branchLimit: intFlag("branch-limit", flags.branchLimit, 1),
    apiKey: flags.apiKey,
    orgLimits: orgLimitFlags(flags.orgLimit),
    orgKey: flags.orgKey,
  };
  if ((options.port ?? 0) > 65535) throw new UsageError(`--port must be at most 65535, got "${flags.port}"`);
  // Branch data lives next to the state file, so a restart with --state finds both.
  const database = flags.postgres ? await loadPostgresBackend(flags.state && `${flags.state}.postgres`) : undefined;
  const running = await startEmulator({ ...options, database });
  process.stdout.write(`listening on ${running.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await running.close();
  await database?.close();
}
