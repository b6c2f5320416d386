/**
 * The seam between the emulated Neon control plane and a data plane. Without `--postgres` the emulator
 * has no data plane: connection strings only look like Neon's. With `--postgres`, a backend makes every
 * branch a real Postgres database that the connection strings reach.
 *
 * The control plane calls these hooks after it has committed the corresponding change to its own state.
 */
export interface DatabaseBackend {
  /** A branch now exists; it starts with a copy of its parent's data as of now (none for a root branch). */
  branchCreated(branch: BranchDatabase & { parentBranchId?: string }): Promise<void>;
  /** The branch was reset to `sourceBranchId`: its data is replaced by the source's current data. */
  branchRestored(projectId: string, branchId: string, sourceBranchId: string): Promise<void>;
  /**
   * The branch was restored to its own past: its data becomes what was committed up to the end of the second of
   * `at` (ms since the epoch). The control plane has checked `at` against the history window.
   */
  branchRestoredToTime(projectId: string, branchId: string, at: number): Promise<void>;
  /** The earliest time (ms) the branch's kept history reaches, when that is later than the retention window's start. */
  historyStart(projectId: string, branchId: string): number | undefined;
  /** The project's history window changed: its branches keep their past this long from now on. */
  historyRetentionChanged(projectId: string, seconds: number): void;
  /** The branch is gone; its database is freed. */
  branchDeleted(projectId: string, branchId: string): Promise<void>;
  /** Every branch of the project is gone; their databases are freed. */
  projectDeleted(projectId: string): Promise<void>;
  /**
   * The branch's roles changed through the API (created, deleted, password reset): `roles` is the full list.
   * Optional: a backend without it serves the project's owner role only.
   */
  rolesChanged?(projectId: string, branchId: string, roles: readonly BranchRole[]): Promise<void>;
  /**
   * The branch's databases changed through the API: `databases` is the full list. Optional: a backend
   * without it serves the project's database only.
   */
  databasesChanged?(projectId: string, branchId: string, databases: readonly BranchDatabaseName[]): Promise<void>;
  /** Where clients reach the branch's database: goes into the branch's connection strings. */
  address(projectId: string, branchId: string): { host: string; port: number };
  /** Stops every database and server. */
  close(): Promise<void>;
}

/** The identity of one branch's database and the credentials its connection strings carry. */
export interface BranchDatabase {
  projectId: string;
  branchId: string;
  databaseName: string;
  roleName: string;
  password: string;
  /** The project's `history_retention_seconds` (default: Neon's 1 day): how long the branch's past is kept. */
  historyRetentionSeconds?: number;
}

/** A login role of a branch and its password. */
export interface BranchRole {
  name: string;
  password: string;
}

/** A database of a branch and the role that owns it. */
export interface BranchDatabaseName {
  name: string;
  ownerName: string;
}
