/**
 * What every command of one engine run shares: settings, the bounded provider pool, the live state
 * (written periodically and at the end), the steps and diagnostics for the preview document, and the
 * failures that make the run exit 1.
 */
import { FleetError } from "../../provider/errors";
import type { PreviewDiagnostic, PreviewStep } from "./preview";
import type { Semaphore } from "./semaphore";
import { saveState, type ResourceState } from "./state";
import type { PassphraseCrypter } from "./secrets";

/** A step would replace or delete a resource the program marked `protect`. */
export class ProtectedResourceError extends FleetError {
  constructor(urn: string, action: "replace" | "delete") {
    super(`cannot ${action} ${urn}: it is protected; set protect: false on it first (and run up) if this is intended`);
  }
}

/** A resource that failed, reported as `error: <urn>: <message>`. */
export interface Failure {
  urn: string;
  message: string;
}

/** The resources as they are right now, in registration order, plus replaced ones waiting for deletion. */
export class LiveState {
  private readonly resources = new Map<string, ResourceState>();
  private pending: ResourceState[] = [];
  private writes: Promise<void> = Promise.resolve();
  private dirty = false;
  private checkpointing = false;
  private lastCheckpoint = { at: 0, ms: 0 };

  constructor(
    private readonly file: string,
    private readonly project: string,
    private readonly stack: string,
    private readonly crypter: PassphraseCrypter,
    initial: readonly ResourceState[],
  ) {
    for (const r of initial) {
      if (r.delete) this.pending.push(r);
      else this.resources.set(r.urn, r);
    }
  }

  /** The current state of `urn`, if any. */
  get(urn: string): ResourceState | undefined {
    return this.resources.get(urn);
  }

  /** Every current (not pending-delete) resource. */
  all(): ResourceState[] {
    return [...this.resources.values()];
  }

  /** Replaced resources still waiting for their delete. */
  pendingDeletes(): ResourceState[] {
    return [...this.pending];
  }

  /** Records the new state of a resource. */
  put(r: ResourceState): void {
    this.resources.set(r.urn, r);
    this.dirty = true;
  }

  /** Forgets a resource (deleted, gone, or retained). */
  remove(urn: string): void {
    this.dirty = this.resources.delete(urn) || this.dirty;
  }

  /** Keeps a replaced resource until its delete-replaced step. */
  addPendingDelete(r: ResourceState): void {
    this.pending.push({ ...r, delete: true });
    this.dirty = true;
  }

  /** Drops a replaced resource once deleted. */
  removePendingDelete(r: ResourceState): void {
    this.pending = this.pending.filter((p) => !(p.urn === r.urn && p.id === r.id));
    this.dirty = true;
  }

  /** Puts the resources in `order` first (a topological order: registration order), the rest after. */
  reorder(order: readonly string[]): void {
    const rest = new Map(this.resources);
    this.resources.clear();
    for (const urn of order) {
      const r = rest.get(urn);
      if (!r) continue;
      this.resources.set(urn, r);
      rest.delete(urn);
    }
    for (const [urn, r] of rest) this.resources.set(urn, r);
  }

  /** Writes the state if anything changed; writes are serialized so the file is never torn. */
  save(): Promise<void> {
    if (!this.dirty) return this.writes;
    this.dirty = false;
    const snapshot = [...this.resources.values(), ...this.pending];
    this.writes = this.writes.then(() => saveState(this.file, this.project, this.stack, this.crypter, snapshot));
    return this.writes;
  }

  /**
   * A save during a long run. Skipped while the previous one is still writing, and spaced to at least
   * 20 times the last save's duration, so a state of thousands of resources (tens of MB) costs at most
   * ~5% of a core however long the run.
   */
  checkpoint(): void {
    const now = Date.now();
    if (this.checkpointing || now - this.lastCheckpoint.at < 20 * this.lastCheckpoint.ms) return;
    this.checkpointing = true;
    void this.save().finally(() => {
      this.checkpointing = false;
      this.lastCheckpoint = { at: Date.now(), ms: Date.now() - now };
    });
  }
}

/** Settings and collectors of one run. */
export interface RunContext {
  project: string;
  stack: string;
  dryRun: boolean;
  pool: Semaphore;
  live: LiveState;
  steps: PreviewStep[];
  diagnostics: PreviewDiagnostic[];
  failures: Failure[];
  /** Resources handled so far and known so far, for progress lines. */
  progress: { done: number; known: number };
  /** Writes one line of engine output (progress, errors). */
  log(line: string): void;
}

/** Records a failed resource: a failure, an error diagnostic and an `error:` line. */
export function fail(ctx: RunContext, urn: string, message: string): void {
  const oneLine = message.replace(/\s*\n\s*/g, " ").trim();
  ctx.failures.push({ urn, message: oneLine });
  ctx.diagnostics.push({ urn, prefix: "error: ", message: oneLine, severity: "error" });
}
