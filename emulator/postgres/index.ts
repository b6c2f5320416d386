import type { BranchDatabase, BranchDatabaseName, BranchRole, DatabaseBackend } from "../databaseBackend";
import { EmulatorError } from "../errors";
import { BranchEngine } from "./branchEngine";
import { BranchListener } from "./branchListener";
import { RunningLimit } from "./runningLimit";
import { type ScramSecret, scramSecret } from "./scram";
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

/** A login role of a branch: its password, and what the front door checks it against (derived once). */
interface ServedRole {
  password: string;
  secret: ScramSecret;
}

/** One branch as the backend serves it. */
interface ServedBranch {
  projectId: string;
  key: string;
  /** The project's database name: its data lives under the branch's own key (see databaseKey). */
  primary: string;
  listener: BranchListener;
  /** The branch's databases by name: each is a PGlite cluster of its own, with its own data. */
  engines: Map<string, BranchEngine>;
  roles: Map<string, ServedRole>;
  /** The project's history window: every database of the branch keeps its past this long. */
  historyRetentionSeconds: number;
}

/**
 * The `--postgres` data plane: every emulated branch is a set of PGlite databases (Postgres 18 in WASM, in
 * worker threads) on a port of its own, behind a front door that enforces the password of the branch role a
 * client names with SCRAM-SHA-256 and serves the database it names. Databases start on first connection and
 * stop when idle; branching copies the parent's data as of creation, restore replaces it with the source's, and a
 * restore to a time takes each database's own state at that second from its in-memory history.
 *
 * PGlite is one Postgres backend for one database, so each database of a branch is a PGlite of its own, and a
 * session runs as the database's owner whichever branch role logged in (the roles differ in passwords only).
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
    const { parentBranchId } = branch;
    const parent = parentBranchId === undefined ? undefined : this.served(branch.projectId, parentBranchId);
    const historyRetentionSeconds = branch.historyRetentionSeconds ?? DEFAULT_HISTORY_RETENTION_SECONDS;
    const engines = new Map<string, BranchEngine>();
    const roles = new Map<string, ServedRole>();
    if (parent) {
      for (const [name, role] of parent.roles) roles.set(name, role);
      for (const [name, engine] of parent.engines) {
        const databaseKey = this.databaseKey({ key, primary: branch.databaseName }, name);
        // A branch already in a data directory is one the emulator knew before a restart: its data stays.
        if (!(await this.store.get(databaseKey))) await this.store.put(databaseKey, await engine.snapshot());
        engines.set(name, this.engine(databaseKey, name, engine.owner, historyRetentionSeconds));
      }
    } else {
      roles.set(branch.roleName, { password: branch.password, secret: scramSecret(branch.password) });
      const databaseKey = this.databaseKey({ key, primary: branch.databaseName }, branch.databaseName);
      const { databaseName, roleName } = branch;
      engines.set(databaseName, this.engine(databaseKey, databaseName, roleName, historyRetentionSeconds));
    }
    const listener = await BranchListener.open(this.settings.host, {
      engine: (name) => served.engines.get(name),
      secret: (name) => served.roles.get(name)?.secret,
    });
    const served: ServedBranch = {
      projectId: branch.projectId,
      key,
      primary: branch.databaseName,
      listener,
      engines,
      roles,
      historyRetentionSeconds,
    };
    this.branches.set(key, served);
  }

  async branchRestored(projectId: string, branchId: string, sourceBranchId: string): Promise<void> {
    const source = this.served(projectId, sourceBranchId);
    const target = this.served(projectId, branchId);
    for (const [name, engine] of [...target.engines]) {
      if (source.engines.get(name)?.owner === engine.owner) continue;
      target.engines.delete(name);
      await engine.destroy();
    }
    for (const [name, sourceEngine] of source.engines) {
      const snapshot = await sourceEngine.snapshot();
      let engine = target.engines.get(name);
      if (!engine) {
        engine = this.engine(this.databaseKey(target, name), name, sourceEngine.owner, target.historyRetentionSeconds);
        target.engines.set(name, engine);
      }
      await engine.replace(snapshot);
    }
    target.roles = new Map(source.roles);
  }

  async rolesChanged(projectId: string, branchId: string, roles: readonly BranchRole[]): Promise<void> {
    const served = this.served(projectId, branchId);
    const kept = served.roles;
    served.roles = new Map(
      roles.map((r) => {
        const known = kept.get(r.name);
        const unchanged = known && known.password === r.password;
        return [r.name, unchanged ? known : { password: r.password, secret: scramSecret(r.password) }];
      }),
    );
  }

  async databasesChanged(projectId: string, branchId: string, databases: readonly BranchDatabaseName[]): Promise<void> {
    const served = this.served(projectId, branchId);
    const wanted = new Map(databases.map((d) => [d.name, d.ownerName]));
    for (const [name, engine] of [...served.engines]) {
      if (wanted.get(name) === engine.owner) continue;
      served.engines.delete(name);
      await engine.destroy();
    }
    for (const [name, owner] of wanted) {
      if (served.engines.has(name)) continue;
      const key = this.databaseKey(served, name);
      served.engines.set(name, this.engine(key, name, owner, served.historyRetentionSeconds));
    }
  }

  /**
   * Every database of the branch goes back to its own state at `at`. The set of databases and roles is the
   * control plane's and stays as it is now: a database made after `at` goes back to how it was created.
   */
  async branchRestoredToTime(projectId: string, branchId: string, at: number): Promise<void> {
    for (const engine of this.served(projectId, branchId).engines.values()) await engine.restoreTo(at);
  }

  /** The latest start among the branch's databases: a restore to a time must reach every one of them. */
  historyStart(projectId: string, branchId: string): number | undefined {
    const starts = [...this.served(projectId, branchId).engines.values()].map((e) => e.historyStart());
    const known = starts.filter((start): start is number => start !== undefined);
    return known.length === 0 ? undefined : Math.max(...known);
  }

  historyRetentionChanged(projectId: string, seconds: number): void {
    for (const branch of this.branches.values()) {
      if (branch.projectId !== projectId) continue;
      branch.historyRetentionSeconds = seconds;
      for (const engine of branch.engines.values()) engine.historyRetentionSeconds = seconds;
    }
  }

  async branchDeleted(projectId: string, branchId: string): Promise<void> {
    const key = branchKey(projectId, branchId);
    const branch = this.branches.get(key);
    if (!branch) return;
    this.branches.delete(key);
    await branch.listener.close();
    for (const engine of branch.engines.values()) await engine.destroy();
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
    for (const b of branches) for (const engine of b.engines.values()) await engine.close(this.settings.persistent);
    await this.templates.settle();
  }

  /**
   * The engine of database `name`, owned by `owner`, keeping its data under `key` and its past for
   * `historyRetentionSeconds`; it starts on first connection.
   */
  private engine(key: string, name: string, owner: string, historyRetentionSeconds: number): BranchEngine {
    const { idleMs, limit } = this.settings;
    const initial = () => this.templates.get(name, owner);
    return new BranchEngine({
      key,
      store: this.store,
      initial,
      databaseName: name,
      roleName: owner,
      idleMs,
      limit,
      historyRetentionSeconds,
    });
  }

  /**
   * The store key of a branch database. The project's database keeps the branch's own key, so data
   * directories written when a branch had exactly one database still load.
   */
  private databaseKey(branch: { key: string; primary: string }, name: string): string {
    return name === branch.primary ? branch.key : `${branch.key}/db/${name}`;
  }

  private served(projectId: string, branchId: string): ServedBranch {
    const branch = this.branches.get(branchKey(projectId, branchId));
    if (!branch) {
      throw new EmulatorError(
        `--postgres: branch ${branchId} of project ${projectId} has no database; ` +
          "the emulator must report it with branchCreated first",
      );
    }
    return branch;
  }
}

/** The store key of a branch's data. */
function branchKey(projectId: string, branchId: string): string {
  return `${projectId}/${branchId}`;
}
