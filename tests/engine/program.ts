/**
 * Runs the stack program the way the nodejs language host does: `node @pulumi/pulumi/cmd/run` with the
 * monitor/engine addresses, project, stack, dry-run and parallel flags, config in PULUMI_CONFIG and the
 * names of secret keys in PULUMI_CONFIG_SECRET_KEYS.
 */
import { spawn } from "node:child_process";

/** How to launch the program. */
export interface ProgramLaunch {
  /** The entry point relative to pwd (`index.js`, or `.`). */
  entry: string;
  /** Its working directory (getPwdMain). */
  pwd: string;
  rootDir: string;
  monitorAddress: string;
  project: string;
  stack: string;
  dryRun: boolean;
  parallel: number;
  config: Record<string, string>;
  secretKeys: string[];
  env: NodeJS.ProcessEnv;
}

/** How the program ended. */
export interface ProgramExit {
  code: number;
  stdout: string;
  stderr: string;
}

/** A running program: its exit, and a way to stop it (the engine stops the program of a cancelled run). */
export interface RunningProgram {
  exit: Promise<ProgramExit>;
  kill(): void;
}

/** Starts the program; `exit` never rejects for a non-zero exit (the caller judges it). */
export function runProgram(p: ProgramLaunch): RunningProgram {
  const runScript = require.resolve("@pulumi/pulumi/cmd/run");
  const args = [
    runScript,
    `--monitor=${p.monitorAddress}`,
    `--engine=${p.monitorAddress}`,
    "--organization=organization",
    `--project=${p.project}`,
    `--stack=${p.stack}`,
    `--pwd=${p.pwd}`,
    `--root-directory=${p.rootDir}`,
    `--parallel=${p.parallel}`,
    ...(p.dryRun ? ["--dry-run"] : []),
    p.entry,
  ];
  const env = {
    ...p.env,
    PULUMI_CONFIG: JSON.stringify(p.config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(p.secretKeys),
  };
  const child = spawn(process.execPath, args, { cwd: p.pwd, env, stdio: ["ignore", "pipe", "pipe"] });
  const exit = new Promise<ProgramExit>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
  return { exit, kill: () => void child.kill() };
}
