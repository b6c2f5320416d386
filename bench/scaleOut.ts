import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmulator, type RunningEmulator } from "../emulator";
import { tenantBucket } from "../provider/plans/shard";
import { generatedTenantId, writeGeneratedPlans } from "./planLoad";

/** Onboarding a fleet cut into hash buckets: one stack per bucket, all run at once under one account budget. */
export interface ScaleOutResult {
  tenants: number;
  stacks: number;
  apiCallsPerTenant: number;
  rateLimited: number;
  wallSeconds: number;
  /** API calls made / the account rate: no layout of stacks can onboard the fleet faster. */
  boundSeconds: number;
  ratioToBound: number;
}

/**
 * The same fleet re-cut from `stacks` to `toStacks` buckets, every stack run at once: how many tenants changed
 * stack, and how many projects that cost (a move should release and adopt, never delete and create).
 */
export interface ReshardResult {
  fromStacks: number;
  toStacks: number;
  /** Tenants whose bucket under `toStacks` differs from the one under `fromStacks`. */
  moved: number;
  projectsCreated: number;
  projectsDeleted: number;
  apiCalls: number;
  wallSeconds: number;
}

/** The options of one scale-out run. */
export interface ScaleOutOptions {
  tenants: number;
  stacks: number;
  /** The account's rate, per minute: the emulator enforces it, and each stack takes 1/stacks of it (rateShare). */
  ratePerMinute: number;
  /** Per second: the emulator's per-route burst, split between the stacks the same way. */
  burstPerSecond: number;
  /** Provider operations in flight per stack (`--parallel`). */
  parallel: number;
  /** After onboarding, re-cut the fleet into this many buckets (0: skip the reshard). */
  reshardTo: number;
  log: (line: string) => void;
}

const API_KEY = "bench-scale-out-key-not-a-real-secret";
/** The repository root and the compiled engine double's command line (this file runs from dist/bench/). */
const ROOT = path.join(__dirname, "..", "..");
const ENGINE_CLI = path.join(__dirname, "..", "tests", "engine", "cli.js");

/**
 * Writes `tenants` tenants into one plans directory and runs `up` on `stacks` stacks (`neon-fleet:bucket` i/K,
 * `neon-fleet:rateShare` 1/K, a state file each) as separate engine-double processes at the same time against one
 * emulator that enforces the account rate. Wall time runs from the spawn of the first to the exit of the last.
 * Then, unless `reshardTo` is 0, runs the same fleet as `reshardTo` stacks (the first `stacks` keep their state
 * files) and counts the projects created and deleted.
 */
export async function benchScaleOut(
  options: ScaleOutOptions,
): Promise<{ scaleOut: ScaleOutResult; reshard?: ReshardResult }> {
  const { tenants, stacks, ratePerMinute } = options;
  const work = mkdtempSync(path.join(os.tmpdir(), `neon-fleet-bench-scale-out-${tenants}-`));
  const plansDir = await writeGeneratedPlans(work, tenants);
  const emulator = await startEmulator({
    ratePerMinute,
    burstPerSecond: options.burstPerSecond,
    projectLimit: tenants + 10,
  });
  try {
    const wallSeconds = await runBuckets(options, { work, plansDir, emulator, buckets: stacks });
    const stats = emulator.stats();
    if (stats.projects !== tenants) throw new Error(`scale-out: ${stats.projects} projects for ${tenants} tenants`);
    const boundSeconds = stats.requests.total / (ratePerMinute / 60);
    const scaleOut = {
      tenants,
      stacks,
      apiCallsPerTenant: stats.requests.total / tenants,
      rateLimited: stats.rateLimited,
      wallSeconds,
      boundSeconds,
      ratioToBound: wallSeconds / boundSeconds,
    };
    if (options.reshardTo <= 0) return { scaleOut };
    options.log(`reshard: ${stacks} -> ${options.reshardTo} buckets`);
    emulator.resetStats();
    const reshardSeconds = await runBuckets(options, { work, plansDir, emulator, buckets: options.reshardTo });
    const after = emulator.stats();
    const ids = Array.from({ length: tenants }, (_, n) => generatedTenantId(n));
    return {
      scaleOut,
      reshard: {
        fromStacks: stacks,
        toStacks: options.reshardTo,
        moved: ids.filter((id) => tenantBucket(id, stacks) !== tenantBucket(id, options.reshardTo)).length,
        projectsCreated: after.requests.byRoute["POST /projects"] ?? 0,
        projectsDeleted: after.requests.byRoute["DELETE /projects/{project_id}"] ?? 0,
        apiCalls: after.requests.total,
        wallSeconds: reshardSeconds,
      },
    };
  } finally {
    await emulator.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Runs `up` on `buckets` stacks at once (bucket i/buckets, rateShare 1/buckets, state file bucket-i.state.json in
 * `work`) and returns the seconds from the first spawn to the last exit. Moving tenants between stacks removes
 * most of each stack's tenants, hence the mass-removal permission.
 */
async function runBuckets(
  options: ScaleOutOptions,
  run: { work: string; plansDir: string; emulator: RunningEmulator; buckets: number },
): Promise<number> {
  const started = process.hrtime.bigint();
  const runs = Array.from({ length: run.buckets }, (_, i) =>
    runStack({
      args: [
        "up",
        `--plans=${run.plansDir}`,
        `--state=${path.join(run.work, `bucket-${i}.state.json`)}`,
        `--api=${run.emulator.url}`,
        `--stack=bucket-${i}`,
        `--config=neon-fleet:bucket=${i}/${run.buckets}`,
        `--config=neon-fleet:rateShare=1/${run.buckets}`,
        "--config=neon-fleet:allowMassRemoval=true",
        `--parallel=${options.parallel}`,
      ],
      env: {
        NEON_API_KEY: API_KEY,
        NEON_FLEET_RATE: String(options.ratePerMinute),
        NEON_FLEET_BURST: String(options.burstPerSecond),
      },
      log: (line) => options.log(`bucket ${i}/${run.buckets}: ${line}`),
    }),
  );
  await Promise.all(runs);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Runs one stack's engine double to its end; rejects with its last error lines when it fails. */
function runStack(run: { args: string[]; env: Record<string, string>; log: (line: string) => void }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENGINE_CLI, ...run.args], {
      cwd: ROOT,
      env: { ...process.env, ...run.env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let tail: string[] = [];
    let pending = "";
    let progressLines = 0;
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop() ?? "";
      tail = [...tail, ...lines].slice(-20);
      // The engine prints progress every 5 s; every sixth line (half a minute) is enough to see a long run move.
      for (const line of lines) if (line.includes("resources done") && progressLines++ % 6 === 0) run.log(line);
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      const errors = tail.filter((l) => l.startsWith("error"));
      if (code === 0) resolve();
      else reject(new Error(`engine up exited with ${code}: ${last(errors.length > 0 ? errors : tail)}`));
    });
  });
}

function last(lines: string[]): string {
  return lines.slice(-3).join("; ");
}
