import { FleetError } from "../../provider/errors";
import type { BranchDatabase, DatabaseBackend } from "../databaseBackend";
import { BranchEngine } from "./branchEngine";
import { BranchListener } from "./branchListener";
import { RunningLimit } from "./runningLimit";
import { scramSecret } from "./scram";
import { directorySnapshots, memorySnapshots, type SnapshotStore } from "./snapshots";
import { Templates } from "./templates";

/** Options of the real-Postgres data plane. */
export interface PostgresBackendOptions {
  /** Keep branch data here (gzipped PGDATA tarballs) across restarts; default: in memory only. */
  dataDir?: string;
  /** Address the branch ports listen on and connection strings name; default 127.0.0.1. */
  host?: string;
  /** A branch's database stops after this long without connections, keeping its data; default 60 s. */
  idleMs?: number;
  /** Databases running at once before idle ones are stopped early (each holds ~200 MB); default 8. */
  maxRunning?: number;
}

/** Neon's default names: their template is built as soon as the backend starts, before the first project asks. */
const NEON_DATABASE = "neondb";
const NEON_ROLE = "neondb_owner";
/** Neon's default history window, for a branch announced without one. */
const DEFAULT_HISTORY_RETENTION_SECONDS = 86_400;

/** One branch as the backend serves it. */
interface ServedBranch {
  projectId: string;
  listener: BranchListener;
  engine: BranchEngine;
}

/**
 * The `--postgres` data plane: every emulated branch is a PGlite database (Postgres 18 in WASM, in a
 * worker thread) on a port of its own, behind a front door that enforces the branch role's password with
 * SCRAM-SHA-256 and serves the project's database name. Databases start on first connection and stop
 * when idle; branching copies the parent's data as of creation, restore replaces it with the source's, and a
 * restore to a time takes the branch's own state at that second from its in-memory history.
 */
export async function createPostgresBackend(options: PostgresBackendOptions = {}): Promise<DatabaseBackend> {
  const store = options.dataDir ? directorySnapshots(options.dataDir) : memorySnapshots();
  const templates = new Templates(store);
  // Warm-up only: a failure surfaces when a branch actually needs the template.
  templates.get(NEON_DATABASE, NEON_ROLE).catch(() => undefined);
  return new PostgresBackend(store, templates, {
    host: options.host ?? "127.0.0.1",
    idleMs: options.idleMs ?? 60_000,
    limit: new RunningLimit(options.maxRunning ?? 8),
    persistent: options.dataDir !== undefined,
  });
}

class PostgresBackend implements DatabaseBackend {
  private readonly branches = new Map<string, ServedBranch>();

  constructor(
    private readonly store: SnapshotStore,
    private readonly templates: Templates,
    private readonly settings: { host: string; idleMs: number; limit: RunningLimit; persistent: boolean },
  ) {}

  async branchCreated(branch: BranchDatabase & { parentBranchId?: string }): Promise<void> {
    const key = branchKey(branch.projectId, branch.branchId);
    if (this.branches.has(key)) return;
    const { databaseName, roleName } = branch;
    const initial = () => this.templates.get(databaseName, roleName);
    // A branch already in a data directory is one the emulator knew before a restart: its data stays.
    if (branch.parentBranchId && !(await this.store.get(key))) {
      await this.store.put(key, await this.served(branch.projectId, branch.parentBranchId).engine.snapshot());
    }
    const { idleMs, limit, host } = this.settings;
    const historyRetentionSeconds = branch.historyRetentionSeconds ?? DEFAULT_HISTORY_RETENTION_SECONDS;
    const engine = new BranchEngine({
      key, store: this.store, initial, databaseName, roleName, idleMs, limit, historyRetentionSeconds,
    });
    const listener = await BranchListener.open(host, { databaseName, roleName, secret: scramSecret(branch.password), engine });
    this.branches.set(key, { projectId: branch.projectId, listener, engine });
  }

  async branchRestored(projectId: string, branchId: string, sourceBranchId: string): Promise<void> {
    const source = await this.served(projectId, sourceBranchId).engine.snapshot();
    await this.served(projectId, branchId).engine.replace(source);
  }

  async branchRestoredToTime(projectId: string, branchId: string, at: number): Promise<void> {
    await this.served(projectId, branchId).engine.restoreTo(at);
  }

  historyStart(projectId: string, branchId: string): number | undefined {
    return this.served(projectId, branchId).engine.historyStart();
  }

  historyRetentionChanged(projectId: string, seconds: number): void {
    for (const branch of this.branches.values()) {
      if (branch.projectId === projectId) branch.engine.historyRetentionSeconds = seconds;
    }
  }

  async branchDeleted(projectId: string, branchId: string): Promise<void> {
    const key = branchKey(projectId, branchId);
    const branch = this.branches.get(key);
    if (!branch) return;
    this.branches.delete(key);
    await branch.listener.close();
    await branch.engine.destroy();
  }

  async projectDeleted(projectId: string): Promise<void> {
    const keys = [...this.branches].filter(([, b]) => b.projectId === projectId).map(([key]) => key);
    await Promise.all(keys.map((key) => this.branchDeleted(projectId, key.slice(projectId.length + 1))));
  }

  address(projectId: string, branchId: string): { host: string; port: number } {
    return this.served(projectId, branchId).listener.address;
  }

  async close(): Promise<void> {
    const branches = [...this.branches.values()];
    this.branches.clear();
    await Promise.all(branches.map((b) => b.listener.close()));
    // One at a time: persisting dumps every running database, and each dump holds a copy of its PGDATA.
    for (const b of branches) await b.engine.close(this.settings.persistent);
    await this.templates.settle();
  }

  private served(projectId: string, branchId: string): ServedBranch {
    const branch = this.branches.get(branchKey(projectId, branchId));
    if (!branch) {
      throw new FleetError(`--postgres: branch ${branchId} of project ${projectId} has no database; the emulator must report it with branchCreated first`);
    }
    return branch;
  }
}

/** The store key of a branch's data. */
function branchKey(projectId: string, branchId: string): string {
  return `${projectId}/${branchId}`;
}
