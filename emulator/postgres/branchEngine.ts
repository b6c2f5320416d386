import { Mutex } from "./mutex";
import { PostgresWorker } from "./pglite";
import type { RunningLimit, Stoppable } from "./runningLimit";
import type { SnapshotStore } from "./snapshots";
import { concat, int32, query, startupMessage, SYNC } from "./wire";

/** The authenticated client a session answers to. */
export interface SessionClient {
  /** Sends backend bytes to the client. */
  write(bytes: Uint8Array): void;
  /** Ends the connection because its database went away (restore, delete, shutdown). */
  kick(): void;
}

/** One client connection's use of the branch's database. */
export interface Session {
  /** Runs one frontend message; the answer streams to the client. */
  send(message: Uint8Array): Promise<void>;
  /** The client went away: undoes what it left half done and lets others in. */
  close(): Promise<void>;
}

/** What a branch engine needs to know about its branch. */
export interface BranchEngineOptions {
  /** The branch's key in the snapshot store. */
  key: string;
  store: SnapshotStore;
  /** The data a branch that has never run starts from. */
  initial: () => Promise<Blob>;
  databaseName: string;
  roleName: string;
  /** Stop the database after this long without connections (its data stays in the store). */
  idleMs: number;
  /** The cap on databases running at once, shared by every branch of the backend. */
  limit: RunningLimit;
  /** The project's `history_retention_seconds`: how long committed states are kept for a point-in-time restore. */
  historyRetentionSeconds: number;
}

/** One committed state of the branch: its data at the end of a second in which something was written. */
interface HistoryEntry {
  /** Unix time in whole seconds. */
  second: number;
  snapshot: Blob;
}

const secondOf = (ms: number): number => Math.floor(ms / 1000);

/**
 * States kept per branch at most (each a ~4.5 MB gzipped PGDATA in memory). Past it the oldest go first, and the
 * restorable window starts later than `history_retention_seconds` says; the control plane asks for that start.
 */
const MAX_HISTORY_ENTRIES = 240;

/** `Z`, length 5, status: the ReadyForQuery that ends every answer to a Sync or a Query. */
const READY_FOR_QUERY = 0x5a;

/**
 * One branch's database: a PGlite instance (in a worker thread) started on the first connection and stopped (dumped to the
 * snapshot store) after `idleMs` without one, like Neon's scale to zero.
 *
 * PGlite is a single Postgres backend, so every client connection shares one session. Two locks keep
 * clients apart: `backend` lets one protocol message (or a dump) run at a time, and `turn` gives one
 * client the backend from its first message until Postgres reports it idle outside a transaction, so
 * neither a transaction nor an extended-protocol exchange ever interleaves with another client's.
 */
export class BranchEngine implements Stoppable {
  private db?: PostgresWorker;
  private readonly backend = new Mutex();
  private readonly turn = new Mutex();
  private readonly sessions = new Set<EngineSession>();
  private idleTimer?: NodeJS.Timeout;
  /** Set once the branch is deleted or the backend closes: nothing may start its database again. */
  private retired = false;
  /**
   * The branch's past for point-in-time restores: one dump per second in which a write committed, oldest first,
   * pruned past the retention window (the newest state at or before the window's start stays: it is the data
   * at that start). `origin` is the data the branch was created with (or found with after a restart).
   */
  private readonly history: HistoryEntry[] = [];
  private readonly origin: Promise<Blob>;
  /** The second of a committed write not in `history` yet; dumped once that second is over. */
  private pendingSecond?: number;
  /** Where the WAL ended after the last message: a change means the message wrote something. */
  private walPosition?: string;
  /** Changed by a project update; pruning uses the current value. */
  historyRetentionSeconds: number;
  /** Set when the cap dropped states the window still covers: no restore to a time before this (ms). */
  private truncatedBefore?: number;

  constructor(private readonly options: BranchEngineOptions) {
    this.historyRetentionSeconds = options.historyRetentionSeconds;
    this.origin = options.store.get(options.key).then((stored) => stored ?? options.initial());
    // Not awaited here: a failure surfaces when a restore needs the origin.
    this.origin.catch(() => undefined);
  }

  /** The role that owns the database; every session runs as it. */
  get owner(): string {
    return this.options.roleName;
  }

  /** Starts the database if needed and runs the client's startup on it; the answer (AuthenticationOk ... ReadyForQuery) goes to the client. */
  async open(client: SessionClient, params: Record<string, string>): Promise<Session> {
    const session = new EngineSession(this, client);
    this.sessions.add(session);
    clearTimeout(this.idleTimer);
    if (this.db) this.options.limit.used(this);
    const startup = startupMessage({ ...params, user: this.options.roleName, database: this.options.databaseName });
    try {
      await session.send(startup);
    } catch (err) {
      session.abandon();
      throw err;
    }
    return session;
  }

  /** The branch's current data, without disturbing its clients (uncommitted work is not part of it). */
  snapshot(): Promise<Blob> {
    return this.backend.run(async () => {
      if (!this.db?.alive) return this.stored();
      // A pending second's dump is the current data too: one dump serves the copy and the history.
      return (await this.recordPending(this.db)) ?? this.db.dump();
    });
  }

  /** Replaces the branch's data (restore): its clients are disconnected, the next connection sees `snapshot`. */
  async replace(snapshot: Blob): Promise<void> {
    this.kickAll();
    await this.backend.run(() => this.replaceLocked(snapshot));
  }

  /**
   * Point-in-time restore: the branch's data becomes what was committed up to the end of second `secondOf(at)`.
   * The replaced state stays in the history, so a later restore can go back to it too.
   */
  async restoreTo(at: number): Promise<void> {
    this.kickAll();
    await this.backend.run(async () => {
      if (this.db?.alive) await this.recordPending(this.db);
      const entry = [...this.history].reverse().find((h) => h.second <= secondOf(at));
      await this.replaceLocked(entry ? entry.snapshot : await this.origin);
    });
  }

  /** Frees the branch's database and data for good. */
  async destroy(): Promise<void> {
    this.retired = true;
    this.kickAll();
    await this.backend.run(async () => {
      await this.shutdown(false);
      await this.options.store.delete(this.options.key);
    });
  }

  /** Disconnects clients and stops the database, keeping its data in the store when `persist`. */
  async close(persist: boolean): Promise<void> {
    this.retired = true;
    this.kickAll();
    await this.backend.run(() => this.shutdown(persist));
  }

  /** Runs one message on the running database under the backend lock; returns the trailing ReadyForQuery status, if any. */
  async execute(message: Uint8Array, onData: (bytes: Uint8Array) => void): Promise<string | undefined> {
    return this.backend.run(async () => {
      const db = await this.start();
      // A write of an earlier second is dumped before this message can add to the data.
      if (this.pendingSecond !== undefined && secondOf(Date.now()) > this.pendingSecond) await this.recordPending(db);
      let tail = new Uint8Array(0);
      await db.exec(message, (bytes) => {
        tail = concat([tail, bytes.subarray(-6)]).slice(-6);
        onData(bytes);
      });
      const ready = tail.length === 6 && tail[0] === READY_FOR_QUERY && int32(tail, 1) === 5;
      const status = ready ? String.fromCharCode(tail[5]) : undefined;
      // Idle outside a transaction: whatever the client wrote is committed now.
      if (status === "I") await this.noteWrites(db);
      return status;
    });
  }

  /** @internal Waits for the client's turn on the shared backend session. */
  takeTurn(): Promise<void> {
    return this.turn.lock();
  }

  /** @internal Ends a client's turn. */
  endTurn(): void {
    this.turn.unlock();
  }

  /** @internal Forgets a session; the last one out arms the idle stop. */
  detach(session: EngineSession): void {
    if (!this.sessions.delete(session) || this.sessions.size > 0) return;
    clearTimeout(this.idleTimer);
    // A failed stop leaves the database running; the next idle period tries again.
    this.idleTimer = setTimeout(() => void this.stopIfIdle().catch(() => undefined), this.options.idleMs);
    this.idleTimer.unref();
  }

  /** Stops the database, keeping its data, unless a client is connected. */
  async stopIfIdle(): Promise<boolean> {
    return this.backend.run(async () => {
      if (this.sessions.size > 0) return false;
      await this.shutdown(true);
      return true;
    });
  }

  private async start(): Promise<PostgresWorker> {
    if (this.retired) throw new Error("the branch's database is gone");
    // A crashed worker is replaced; the branch restarts from its last snapshot.
    if (this.db?.alive) return this.db;
    await this.options.limit.admit(this);
    try {
      this.db = await PostgresWorker.start({
        snapshot: await this.stored(),
        database: this.options.databaseName,
        username: this.options.roleName,
      });
    } catch (err) {
      this.options.limit.stopped(this);
      throw err;
    }
    return this.db;
  }

  /** Marks the current second as written when the WAL moved since the last look (the first look sets the mark). */
  private async noteWrites(db: PostgresWorker): Promise<void> {
    const position = await db.walPosition();
    const wrote = this.walPosition !== undefined && position !== this.walPosition;
    this.walPosition = position;
    if (!wrote) return;
    // Not dumped yet: until the next write the data stays what it was at the end of this second, so the dump
    // waits for the first message of a later second, a copy, a restore or the stop (whose dump it shares).
    this.pendingSecond = secondOf(Date.now());
  }

  /**
   * Dumps the pending second's state into the history (call under the backend lock); returns that dump. The data
   * now is the data at the end of that second: any later write would have recorded it first. A write later in the
   * same second replaces the entry.
   */
  private async recordPending(db: PostgresWorker): Promise<Blob | undefined> {
    if (this.pendingSecond === undefined) return undefined;
    const second = this.pendingSecond;
    this.pendingSecond = undefined;
    const snapshot = await db.dump();
    this.remember(second, snapshot);
    return snapshot;
  }

  /** Adds a state to the history (a later state of the same second wins) and drops what the window no longer needs. */
  private remember(second: number, snapshot: Blob): void {
    const last = this.history.at(-1);
    if (last && last.second === second) last.snapshot = snapshot;
    else this.history.push({ second, snapshot });
    const windowStart = secondOf(Date.now()) - this.historyRetentionSeconds;
    while (this.history.length > 1 && this.history[1]!.second <= windowStart) this.history.shift();
    if (this.history.length > MAX_HISTORY_ENTRIES) {
      this.history.shift();
      this.truncatedBefore = this.history[0]!.second * 1000;
    }
  }

  /** The earliest time (ms) a restore can reach when the history cap, not the retention window, decides it. */
  historyStart(): number | undefined {
    return this.truncatedBefore;
  }

  /** Restore under the backend lock: stops the database and stores `snapshot` as its data, a change of this second. */
  private async replaceLocked(snapshot: Blob): Promise<void> {
    if (this.db?.alive) await this.recordPending(this.db);
    await this.shutdown(false);
    await this.options.store.put(this.options.key, snapshot);
    this.remember(secondOf(Date.now()), snapshot);
  }

  private async stored(): Promise<Blob> {
    return (await this.options.store.get(this.options.key)) ?? this.options.initial();
  }

  /** Stops PGlite (call under the backend lock). */
  private async shutdown(persist: boolean): Promise<void> {
    clearTimeout(this.idleTimer);
    const db = this.db;
    if (!db) return;
    const recorded = db.alive && !this.retired ? await this.recordPending(db) : undefined;
    // Dump first: if that fails the database keeps running and nothing is lost.
    if (persist && db.alive) await this.options.store.put(this.options.key, recorded ?? (await db.dump()));
    this.db = undefined;
    this.walPosition = undefined;
    this.options.limit.stopped(this);
    await db.close().catch(() => undefined);
  }

  private kickAll(): void {
    for (const session of this.sessions) session.kick();
  }
}

/** One client's session on the shared backend: holds the turn while the client is mid-exchange or mid-transaction. */
class EngineSession implements Session {
  private holdsTurn = false;
  private closed = false;
  /** Postgres's transaction status after the last answer: I(dle), T(ransaction), E(rror in transaction). */
  private status = "I";

  constructor(
    private readonly engine: BranchEngine,
    private readonly client: SessionClient,
  ) {}

  async send(message: Uint8Array): Promise<void> {
    if (!this.holdsTurn) {
      await this.engine.takeTurn();
      this.holdsTurn = true;
    }
    if (this.closed) return this.giveBackTurn();
    const status = await this.engine.execute(message, (bytes) => {
      if (!this.closed) this.client.write(bytes);
    });
    if (status) this.status = status;
    if (status === "I") this.giveBackTurn();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.holdsTurn) {
      // Leave the shared backend as a fresh client expects it: no pending exchange, no open transaction.
      const discard = () => undefined;
      this.status = (await this.engine.execute(SYNC, discard)) ?? this.status;
      if (this.status !== "I") await this.engine.execute(query("ROLLBACK"), discard);
      this.giveBackTurn();
    }
    this.engine.detach(this);
  }

  /** The database is going away: the client is disconnected and nothing of its session is cleaned up. */
  kick(): void {
    if (this.closed) return;
    this.client.kick();
    this.abandon();
  }

  /** Lets go of the backend without touching it: the database is going away or never answered. */
  abandon(): void {
    this.closed = true;
    this.giveBackTurn();
    this.engine.detach(this);
  }

  private giveBackTurn(): void {
    if (!this.holdsTurn) return;
    this.holdsTurn = false;
    this.engine.endTurn();
  }
}
