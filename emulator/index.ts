import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { adminHandler } from "./admin";
import type { DatabaseBackend } from "./databaseBackend";
import { EmulatorError } from "./errors";
import type { Faults } from "./faults";
import { loadState, StateWriter } from "./persistence";
import { RateLimitEnforcer } from "./rateLimitEnforcer";
import { Router } from "./router";
import { accountRoutes } from "./routes/account";
import { branchRoutes } from "./routes/branches";
import { connectionUriRoutes } from "./routes/connectionUri";
import { consumptionRoutes } from "./routes/consumption";
import { databaseRoutes } from "./routes/databases";
import { endpointRoutes } from "./routes/endpoints";
import { operationRoutes } from "./routes/operations";
import { organizationRoutes } from "./routes/organizations";
import { projectRoutes } from "./routes/projects";
import { roleRoutes } from "./routes/roles";
import { API_PREFIX, createRequestListener } from "./server";
import { type EmulatorStats, StatsCounter } from "./stats";
import { Store } from "./store";
import type { World } from "./world";

export type { EmulatorStats } from "./stats";
export type { Faults } from "./faults";

/** How to run the emulator; every field has Neon's behaviour as its default. */
export interface EmulatorOptions {
  /** TCP port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
  /** Keeps every object in this JSON file across restarts. */
  stateFile?: string;
  /** Requests per minute per API key (default 700, Neon's limit). */
  ratePerMinute?: number;
  /** Requests per second per route and API key (default 40, Neon's limit). */
  burstPerSecond?: number;
  faults?: Faults;
  /** How long each operation runs, in milliseconds (default 300). */
  opMs?: number;
  /** Live projects allowed (default 1000, Neon's Scale plan). */
  projectLimit?: number;
  /** Branches allowed per project, default included (default 5000, Neon's highest per-project limit). */
  branchLimit?: number;
  /** When set, the only API key accepted; otherwise any non-empty Bearer key is. */
  apiKey?: string;
  /** Live projects allowed per organization id (`--org-limit ORG=N`). */
  orgLimits?: Record<string, number>;
  /** Makes the API key an organization-scoped key of this org (`--org-key ORG`): project transfers get 403. */
  orgKey?: string;
  /** A data plane: makes every branch a real database. The caller owns it and closes it. */
  database?: DatabaseBackend;
}

/** A started emulator. */
export interface RunningEmulator {
  /** Base URL of the API, `http://127.0.0.1:PORT/api/v2`. */
  url: string;
  port: number;
  /** The same counters `GET /__emulator/stats` answers. */
  stats(): EmulatorStats;
  /** Zeroes the counters (as `POST /__emulator/reset-stats`). */
  resetStats(): void;
  /** Sets (or, with undefined, lifts) an organization's project limit while running, like a raised Neon limit. */
  setOrgLimit(orgId: string, limit: number | undefined): void;
  /** Stops serving, cuts open connections and writes the state file. */
  close(): Promise<void>;
}

/** How often expired branches are looked for. */
const EXPIRY_SWEEP_MS = 250;

/** Starts the emulated Neon API on 127.0.0.1. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const state = options.stateFile ? loadState(options.stateFile) : undefined;
  let writer: StateWriter | undefined;
  const store = new Store(() => writer?.changed());
  if (state) store.load(state);
  if (options.stateFile) writer = new StateWriter(options.stateFile, () => store.snapshot());

  const world: World = {
    store,
    opMs: options.opMs ?? 300,
    projectLimit: options.projectLimit ?? 1000,
    orgProjectLimits: new Map(Object.entries(options.orgLimits ?? {})),
    ...(options.orgKey === undefined ? {} : { orgKey: options.orgKey }),
    backend: options.database,
  };
  if (options.branchLimit !== undefined) world.branchLimit = options.branchLimit;
  if (state) await reattachBranches(world);
  const stats = new StatsCounter();
  const router = new Router([
    ...projectRoutes(world),
    ...operationRoutes(world),
    ...branchRoutes(world),
    ...endpointRoutes(world),
    ...connectionUriRoutes(world),
    ...consumptionRoutes(world),
    ...databaseRoutes(world),
    ...roleRoutes(world),
    ...accountRoutes(world),
    ...organizationRoutes(world),
  ]);
  const server = createServer(
    { keepAlive: true },
    createRequestListener({
      router,
      stats,
      limiter: new RateLimitEnforcer({
        perMinute: options.ratePerMinute ?? 700,
        burstPerSecond: options.burstPerSecond ?? 40,
      }),
      faults: options.faults ?? {},
      apiKey: options.apiKey,
      admin: adminHandler(world, stats),
    }),
  );
  // Idle keep-alive connections outlive the clients' own idle timeouts (Node's agents: 5 s), as behind
  // Neon's load balancer; otherwise a client can reuse a socket the server is closing and get ECONNRESET.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "EADDRINUSE"
          ? new EmulatorError(`emulator: port ${options.port} is in use; choose another --port, or 0 for a free one`)
          : err,
      ),
    );
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const sweeper = setInterval(() => void sweepExpiredBranches(world), EXPIRY_SWEEP_MS);
  sweeper.unref();
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}${API_PREFIX}`,
    port,
    stats: () => stats.snapshot(store.projectCount),
    resetStats: () => stats.reset(),
    setOrgLimit: (orgId, limit) => {
      if (limit === undefined) world.orgProjectLimits.delete(orgId);
      else world.orgProjectLimits.set(orgId, limit);
    },
    close: async () => {
      clearInterval(sweeper);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      writer?.flush();
    },
  };
}

/**
 * After a restart from `--state`, tells the data plane about every branch again, parents before children,
 * with the roles and databases made through the API, so each gets its databases (a persistent backend keeps
 * their data) and its address.
 */
async function reattachBranches(world: World): Promise<void> {
  const { backend, store } = world;
  if (!backend) return;
  for (const project of store.projects.values()) {
    for (const branch of store.branchesOf(project)) {
      const { databaseName, roleName, password } = project;
      const parentBranchId = branch.parentId && store.branches.has(branch.parentId) ? branch.parentId : undefined;
      const historyRetentionSeconds = project.historyRetentionSeconds;
      await backend.branchCreated({
        projectId: project.id,
        branchId: branch.id,
        parentBranchId,
        databaseName,
        roleName,
        password,
        historyRetentionSeconds,
      });
      if (branch.roles) await backend.rolesChanged?.(project.id, branch.id, branch.roles);
      if (branch.databases) await backend.databasesChanged?.(project.id, branch.id, branch.databases);
    }
  }
}

/** Neon deletes a branch when its `expires_at` passes; so does the emulator. */
async function sweepExpiredBranches(world: World): Promise<void> {
  const now = Date.now();
  for (const id of [...world.store.expiring]) {
    const branch = world.store.branches.get(id);
    const project = branch && world.store.projects.get(branch.projectId);
    if (!branch || !project || branch.expiresAt === undefined || branch.expiresAt > now) continue;
    world.store.deleteBranch(project, branch);
    await world.backend?.branchDeleted(project.id, branch.id);
  }
}
