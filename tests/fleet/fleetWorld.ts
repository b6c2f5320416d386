/**
 * The world of a fleet user story: an emulated Neon of its own (port 0), a temp copy of a plans fixture,
 * a state file, and the engine double running the compiled stack program (dist/, so `tsc` must have run:
 * `npm test` does it). Neon is inspected the way a user would: over its HTTP API.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Endpoint, ProjectListItem } from "@neondatabase/api-client";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator";
import { runEngine, type EngineRunResult } from "../engine";

/** A distinctive key, so tests can prove it never lands in state or previews. */
export const API_KEY = "napi_fleettest_0123456789abcdefSECRET";

/** Fast operations and a generous rate, so stories run in seconds; stories about limits override them. */
const FAST: EmulatorOptions = { opMs: 15, ratePerMinute: 60_000, burstPerSecond: 1_000 };
// The emulator lands a create at once (unless told to land it late), so a short settle window after an ambiguous
// create proves as much here as Neon's 15 s default does against Neon.
const FAST_CLIENT = { NEON_FLEET_RATE: "60000", NEON_FLEET_BURST: "1000", NEON_FLEET_CREATE_SETTLE_MS: "1500" };

/** One story's emulator, plans, state and engine. */
export interface FleetWorld {
  emulator: RunningEmulator;
  plansDir: string;
  stateFile: string;
  previewFile: string;
  /**
   * Runs `pulumi <command>` through the engine double with extra stack config; `continueOnError` is
   * `pulumi up --continue-on-error` (without it the first failure cancels the rest, as in Pulumi).
   */
  run(
    command: "preview" | "up" | "refresh" | "destroy",
    config?: Record<string, string>,
    options?: { continueOnError?: boolean },
  ): Promise<EngineRunResult>;
  /** Calls the emulated Neon API as a user would (JSON in, JSON out). */
  api<T>(method: string, route: string, body?: unknown): Promise<T>;
  /** Every project in the emulated Neon account. */
  projects(): Promise<ProjectListItem[]>;
  /** The project named `name`; fails the story when there is not exactly one. */
  project(name: string): Promise<ProjectListItem>;
  endpoints(projectId: string): Promise<Endpoint[]>;
  /** Rewrites a plan file (path relative to the plans dir). */
  editPlan(file: string, edit: (text: string) => string): void;
  /** Mutating requests counted by the emulator since the last reset. */
  mutations(): number;
  close(): Promise<void>;
}

/** Starts a world from `tests/fixtures/fleet/<fixture>`. `fast: false` keeps Neon's rate limits on both sides. */
export async function fleetWorld(
  fixture: string,
  options: { emulator?: EmulatorOptions; fast?: boolean } = {},
): Promise<FleetWorld> {
  const fast = options.fast ?? true;
  const emulator = await startEmulator({ port: 0, ...(fast ? FAST : { opMs: 15 }), ...options.emulator });
  const dir = mkdtempSync(path.join(os.tmpdir(), `fleet-${fixture}-`));
  const plansDir = path.join(dir, "plans");
  cpSync(path.join(__dirname, "..", "fixtures", "fleet", fixture), plansDir, { recursive: true });
  const stateFile = path.join(dir, "state.json");
  const previewFile = path.join(dir, "preview.json");
  const api = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    // The story's own reads must see through injected faults (a GET is safe to repeat), and every request
    // waits out the rate limit like any well-behaved client.
    for (let attempt = 1; ; attempt++) {
      // A dropped connection rejects fetch with an error from undici's realm, not jest's: `instanceof Error`
      // would be false there, so the outcome is tagged instead of type-tested.
      const outcome = await fetch(`${emulator.url}${route}`, {
        method,
        headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(
        (response) => ({ response, failure: undefined }),
        (failure: unknown) => ({ response: undefined, failure }),
      );
      const canRetry = attempt < 20;
      const { response } = outcome;
      if (canRetry && response?.status === 429) {
        await new Promise((resolve) => setTimeout(resolve, 1000 * Number(response.headers.get("retry-after") ?? 1)));
        continue;
      }
      if (canRetry && method === "GET" && (response === undefined || response.status === 503)) continue;
      if (response === undefined) {
        const reason = (outcome.failure as { message?: string } | undefined)?.message ?? String(outcome.failure);
        throw new Error(`${method} ${route}: ${reason}`);
      }
      if (!response.ok) throw new Error(`${method} ${route} -> ${response.status}: ${await response.text()}`);
      return (await response.json()) as T;
    }
  };

  const projects = async (): Promise<ProjectListItem[]> =>
    (await api<{ projects: ProjectListItem[] }>("GET", "/projects?limit=400")).projects;
  return {
    emulator,
    plansDir,
    stateFile,
    previewFile,
    run: (command, config = {}, options = {}) =>
      runEngine({
        ...options,
        command,
        plansDir,
        stateFile,
        apiUrl: emulator.url,
        apiKey: API_KEY,
        jsonOut: previewFile,
        config,
        env: fast ? FAST_CLIENT : {},
      }),
    api,
    projects,
    project: async (name) => {
      const named = (await projects()).filter((p) => p.name === name);
      if (named.length !== 1) throw new Error(`expected one project named ${name}, found ${named.length}`);
      return named[0];
    },
    endpoints: async (projectId) =>
      (await api<{ endpoints: Endpoint[] }>("GET", `/projects/${projectId}/endpoints`)).endpoints,
    editPlan: (file, edit) => {
      const full = path.join(plansDir, file);
      writeFileSync(full, edit(readFileSync(full, "utf8")));
    },
    mutations: () =>
      Object.entries(emulator.stats().requests.byRoute)
        .filter(([route]) => !route.startsWith("GET "))
        .reduce((sum, [, n]) => sum + n, 0),
    close: async () => {
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The step ops of a run's preview document for resources of `type`, by resource name, joined with `,`
 * (a replace is several steps, e.g. `delete-replaced,replace,create-replacement`).
 */
export function stepOps(
  result: EngineRunResult,
  type: "TenantProject" | "PlanQuota" | "DevBranch",
): Record<string, string> {
  const ops: Record<string, string> = {};
  for (const step of result.preview.steps) {
    const match = /::pulumi-nodejs:dynamic\/neon:(\w+)::(.+)$/.exec(step.urn);
    if (match && match[1] === type) ops[match[2]] = ops[match[2]] ? `${ops[match[2]]},${step.op}` : step.op;
  }
  return ops;
}
