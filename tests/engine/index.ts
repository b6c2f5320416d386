/**
 * The engine double: a TEST DOUBLE of the Pulumi engine (not a Pulumi replacement) for machines without
 * the Pulumi CLI. It runs the stack program under @pulumi/pulumi's own `cmd/run`, serves the
 * ResourceMonitor/Engine gRPC services the program talks to, and drives the real dynamic-provider
 * server shipped in @pulumi/pulumi the way the engine does, keeping state in a JSON file and writing a
 * `pulumi preview --json`-shaped document.
 */
import { writeFile } from "node:fs/promises";
import * as os from "node:os";
import { DefaultProvider } from "./defaultProvider";
import { deleteInOrder, type DeleteItem } from "./deletes";
import { Deployment, ROOT_STACK_TYPE } from "./deployment";
import { MonitorServer } from "./monitor";
import { changeSummary, type PreviewDocument } from "./preview";
import { forProvider, makeSecret, redact, type PropertyMap } from "./properties";
import { runProgram } from "./program";
import {
  findProject,
  parseConfigFlag,
  programLocation,
  qualifyKey,
  readStackConfig,
  type Project,
  type ProgramLocation,
  type StackConfig,
} from "./project";
import { refreshAll } from "./refresh";
import { LiveState, fail, type Failure, type RunContext } from "./run";
import { Semaphore } from "./semaphore";
import { loadState } from "./state";

export type { PreviewDocument, PreviewStep, PreviewResourceState, PreviewDiagnostic, StepOp } from "./preview";

/** One engine run. */
export interface EngineRunOptions {
  command: "preview" | "up" | "refresh" | "destroy";
  /** Sets config `neon-fleet:plans`. */
  plansDir?: string;
  stateFile: string;
  /** Sets config `neon-fleet:apiHost` and NEON_API_HOST for the provider. */
  apiUrl?: string;
  /** The Neon API key; else config `neon-fleet:apiKey`, else env NEON_API_KEY. Always a secret. */
  apiKey?: string;
  /** Where to write the preview document. */
  jsonOut?: string;
  /** Stack config, `KEY: VALUE` (bare keys get the project namespace). */
  config?: Record<string, string>;
  /**
   * The program, in place of Pulumi.yaml's `main` (relative to the project root). Like `main`, a file runs
   * in its own folder and a folder in itself (pkg/engine/project.go getPwdMain).
   */
  program?: string;
  /** Default `local`. */
  stack?: string;
  /** Create/Update/Delete/Read in flight at most, like `pulumi up --parallel`; default PULUMI_PARALLEL, else 4 x CPU cores. */
  parallel?: number;
  /**
   * Like `pulumi up --continue-on-error`: a failed Create/Update/Delete fails that resource and skips its
   * dependents, and the rest carries on. Without it (the default, as in Pulumi) the first failure cancels
   * the rest: no new step starts, running ones finish, nothing is deleted. Check and Diff errors end the
   * run either way.
   */
  continueOnError?: boolean;
  /** Like `--skip-preview`: up, refresh and destroy run without their preview pass. */
  skipPreview?: boolean;
  /** Like `pulumi up --replace URN`: replace these resources (create first, delete last) without a Diff. */
  replace?: string[];
  /** Extra environment for the program and the provider. */
  env?: Record<string, string>;
  /** Receives each engine output line (progress, errors) as it happens; the CLI passes stderr. */
  onLog?: (line: string) => void;
  /** Return stack outputs with secrets in the clear, like `pulumi stack output --show-secrets` (never in the JSON document). */
  showSecrets?: boolean;
}

/** The outcome of a run. */
export interface EngineRunResult {
  /** True when every step succeeded and the program exited cleanly. */
  ok: boolean;
  preview: PreviewDocument;
  failures: Failure[];
  /** Stack outputs, secrets as `[secret]` unless `showSecrets`. */
  outputs: Record<string, unknown>;
  /** Everything the engine printed: progress lines and one `error: <urn>: <message>` line per failure. */
  stderr: string;
  /**
   * Bytes a real engine with the file backend would have serialized for checkpoints during the run: the
   * whole snapshot at the start and at the end of every mutating step (see LiveState). 0 for a preview.
   */
  checkpointBytes: number;
}

/** How often long runs print progress and save state. */
const PROGRESS_INTERVAL_MS = 5000;

/**
 * Runs one engine command. Throws only for setup problems (bad state file, no Pulumi.yaml); resource
 * failures are in the result. `up`, `refresh` and `destroy` run a preview pass first, as the CLI does
 * (pkg/backend/apply.go PreviewThenPrompt): a whole second run of the program and of Check and Diff in
 * its own provider process; when the preview fails, nothing is applied.
 */
export async function runEngine(options: EngineRunOptions): Promise<EngineRunResult> {
  if (options.command === "preview" || options.skipPreview) return runPass(options, options.command === "preview");
  const preview = await runPass(options, true);
  if (!preview.ok) return preview;
  const update = await runPass(options, false);
  return { ...update, stderr: preview.stderr + update.stderr };
}

/** One pass of a command: a preview (dry run) or the update itself. */
async function runPass(options: EngineRunOptions, dryRun: boolean): Promise<EngineRunResult> {
  const started = process.hrtime.bigint();
  const project = findProject(process.cwd());
  const stack = options.stack ?? "local";
  const config = stackConfig(project, stack, options);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    ...(options.apiUrl ? { NEON_API_HOST: options.apiUrl } : {}),
  };
  const loaded = await loadState(options.stateFile, env.PULUMI_CONFIG_PASSPHRASE ?? "");
  const lines: string[] = [];
  let cancel = (): void => undefined;
  const onCancel = new Promise<void>((resolve) => (cancel = resolve));
  const ctx: RunContext = {
    project: project.name,
    stack,
    dryRun,
    pool: new Semaphore(options.parallel ?? (Number(env.PULUMI_PARALLEL) || 4 * os.cpus().length)),
    loop: new Semaphore(1),
    continueOnError: options.continueOnError === true,
    replaceTargets: new Set(options.replace ?? []),
    cancelled: false,
    onCancel,
    cancel: () => {
      ctx.cancelled = true;
      cancel();
    },
    live: new LiveState(options.stateFile, project.name, stack, loaded.crypter, loaded.resources),
    steps: [],
    diagnostics: [],
    failures: [],
    progress: { done: 0, known: 0 },
    log: (line) => {
      lines.push(line);
      options.onLog?.(line);
    },
  };
  const wireConfig: PropertyMap = {};
  for (const [k, v] of Object.entries(config.values)) wireConfig[k] = config.secretKeys.has(k) ? makeSecret(v) : v;

  const monitor = await MonitorServer.listen();
  const location = programLocation(project, options.program);
  const provider = new DefaultProvider(ctx, {
    engineAddress: monitor.address,
    cwd: location.pwd,
    env,
    config: wireConfig,
  });
  const deployment = new Deployment(ctx, provider);
  monitor.serve(stack, project.name, deployment);
  const ticker = setInterval(() => {
    ctx.log(
      `engine: ${dryRun ? "preview" : options.command}: ${ctx.progress.done}/${ctx.progress.known} resources done, ${ctx.pool.inFlight} provider calls in flight`,
    );
    if (!ctx.dryRun) ctx.live.checkpoint();
  }, PROGRESS_INTERVAL_MS);
  try {
    let refreshSummary: Record<string, number> | undefined;
    if (options.command === "preview" || options.command === "up") {
      provider.warmUp();
      await deploy({ ctx, project, config, env, monitor, provider, deployment }, location);
    } else if (options.command === "destroy") {
      const items = ctx.live.pendingDeletes().map((state): DeleteItem => ({ state, op: "delete-replaced" }));
      items.push(...ctx.live.all().map((state): DeleteItem => ({ state, op: "delete" })));
      await deleteInOrder(ctx, () => provider.existing(), items);
    } else {
      refreshSummary = { ...(await refreshAll(ctx, () => provider.existing())) };
    }
    return await finish(ctx, options, config, started, lines, deployment, refreshSummary);
  } finally {
    clearInterval(ticker);
    provider.close();
    monitor.stop();
    // Whatever happened, what the provider already did must be on disk.
    if (!ctx.dryRun) await ctx.live.save();
  }
}

/** The pieces of one preview/up. */
interface Session {
  ctx: RunContext;
  project: Project;
  config: StackConfig;
  env: NodeJS.ProcessEnv;
  monitor: MonitorServer;
  provider: DefaultProvider;
  deployment: Deployment;
}

/**
 * preview/up: run the program, then delete what it no longer declares (only if it succeeded). A cancelled
 * run (see RunContext.cancel) waits for the steps already running, stops the program and deletes nothing.
 */
async function deploy(
  { ctx, project, config, env, monitor, provider, deployment }: Session,
  location: ProgramLocation,
): Promise<void> {
  const program = runProgram({
    entry: location.entry,
    pwd: location.pwd,
    rootDir: project.rootDir,
    monitorAddress: monitor.address,
    project: project.name,
    stack: ctx.stack,
    dryRun: ctx.dryRun,
    parallel: ctx.pool.limit,
    config: config.values,
    secretKeys: [...config.secretKeys],
    env,
  });
  const finished = await Promise.race([program.exit, ctx.onCancel.then(() => undefined)]);
  if (!finished) {
    await Promise.all([ctx.loop.idle(), ctx.pool.idle()]);
    program.kill();
    await program.exit;
    return;
  }
  const exit = finished;
  // Like the engine, the program's own output is shown as diagnostics.
  if (exit.stdout.trim()) ctx.diagnostics.push({ prefix: "", message: exit.stdout.trimEnd(), severity: "info" });
  if (exit.stderr.trim())
    ctx.diagnostics.push({
      prefix: "program stderr: ",
      message: exit.stderr.trimEnd(),
      severity: exit.code === 0 ? "info" : "error",
    });
  if (exit.code !== 0) {
    if (ctx.failures.length === 0) {
      const stackUrn = `urn:pulumi:${ctx.stack}::${project.name}::${ROOT_STACK_TYPE}::${project.name}-${ctx.stack}`;
      const logged = ctx.diagnostics.find((d) => d.severity === "error" && d.prefix === "error: ")?.message ?? "";
      const reasons = reportedLines(logged);
      if (reasons.length === 0) reasons.push(`the program exited with code ${exit.code}`);
      for (const reason of reasons) fail(ctx, stackUrn, reason);
    }
    ctx.diagnostics.push({
      prefix: "warning: ",
      message: "resources missing from the program were not deleted because the program did not complete",
      severity: "warning",
    });
    return;
  }
  if (ctx.cancelled) return;
  const registered = new Set([...deployment.registered, ...deployment.aliased.keys()]);
  const items: DeleteItem[] = ctx.live.pendingDeletes().map((state) => ({ state, op: "delete-replaced" }));
  for (const state of ctx.live.all()) if (!registered.has(state.urn)) items.push({ state, op: "delete" });
  await deleteInOrder(ctx, () => provider.existing(), items);
  if (!ctx.dryRun) ctx.live.renameReferences(deployment.aliased);
  ctx.live.reorder(deployment.registered);
}

async function finish(
  ctx: RunContext,
  options: EngineRunOptions,
  config: StackConfig,
  started: bigint,
  lines: string[],
  deployment: Deployment,
  refreshSummary?: Record<string, number>,
): Promise<EngineRunResult> {
  if (!ctx.dryRun) {
    await ctx.live.save();
    // Closing the snapshot manager writes the snapshot once more (pkg/backend/snapshot.go Close).
    ctx.live.endStep();
    ctx.log(
      `engine: checkpoints: ${ctx.live.checkpointBytes} bytes serialized (snapshot ${ctx.live.snapshotBytes} bytes)`,
    );
  }
  const outputs = redact(deployment.stackOutputs) as Record<string, unknown>;
  const shownOutputs = options.showSecrets
    ? (forProvider(deployment.stackOutputs) as Record<string, unknown>)
    : outputs;
  const shownConfig: Record<string, string> = {};
  for (const [k, v] of Object.entries(config.values)) shownConfig[k] = config.secretKeys.has(k) ? "[secret]" : v;
  const preview: PreviewDocument = {
    config: shownConfig,
    steps: ctx.steps,
    duration: Number(process.hrtime.bigint() - started),
    changeSummary: refreshSummary ?? changeSummary(ctx.steps),
    diagnostics: ctx.diagnostics,
    ...(options.command === "up" || options.command === "preview" ? { outputs } : {}),
  };
  if (options.jsonOut) await writeFile(options.jsonOut, `${JSON.stringify(preview, null, 2)}\n`);
  for (const f of ctx.failures) ctx.log(`error: ${f.urn}: ${f.message}`);
  const stderr = lines.map((l) => `${l}\n`).join("");
  const checkpointBytes = ctx.dryRun ? 0 : ctx.live.checkpointBytes;
  return {
    ok: ctx.failures.length === 0,
    preview,
    failures: ctx.failures,
    outputs: shownOutputs,
    stderr,
    checkpointBytes,
  };
}

/** Stack config: Pulumi.<stack>.yaml, then --plans/--api, then --config, then the API key (always secret). */
function stackConfig(project: Project, stack: string, options: EngineRunOptions): StackConfig {
  const config = readStackConfig(project, stack);
  const set = (key: string, value: string): void => {
    config.values[qualifyKey(project.name, key)] = value;
  };
  if (options.plansDir !== undefined) set("neon-fleet:plans", options.plansDir);
  if (options.apiUrl !== undefined) set("neon-fleet:apiHost", options.apiUrl);
  for (const [k, v] of Object.entries(options.config ?? {})) set(...parseConfigFlag(project.name, `${k}=${v}`));
  const apiKey =
    options.apiKey ?? config.values["neon-fleet:apiKey"] ?? options.env?.NEON_API_KEY ?? process.env.NEON_API_KEY;
  if (apiKey !== undefined) {
    config.values["neon-fleet:apiKey"] = apiKey;
    config.secretKeys.add("neon-fleet:apiKey");
  }
  return config;
}

/**
 * The lines of the error a failed program logged, each its own failure (a RunError's message, e.g. one
 * `FILE:LINE:COL: problem` per plan error). The SDK's "Running program ... failed with an unhandled
 * exception:" header and stack frames are dropped: they are in the diagnostics.
 */
function reportedLines(text: string): string[] {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("at "));
  return lines[0]?.startsWith("Running program ") && lines[0].endsWith(":") ? lines.slice(1) : lines;
}
