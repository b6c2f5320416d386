/**
 * What every command of one engine run shares: settings, the bounded provider pool, the live state
 * (written periodically and at the end), the steps and diagnostics for the preview document, and the
 * failures that make the run exit 1.
 */
import { FleetError } from "../../provider/errors";
import { deepEqual } from "./properties";
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

/** Bytes of a snapshot around its resources (version, secrets provider, manifest), as the file backend writes it. */
const SNAPSHOT_OVERHEAD_BYTES = 400;

/** The size of one resource in a serialized snapshot. */
function serializedBytes(r: ResourceState): number {
  return Buffer.byteLength(JSON.stringify(r));
}

/**
 * The resources as they are right now, in registration order, plus replaced ones waiting for deletion.
 * It also keeps the cost model of the real engine's snapshot persistence (pkg/backend/snapshot.go,
 * SnapshotManager.BeginMutation and each mutation's End): the file backend serializes the WHOLE snapshot
 * when a create/update/delete starts (with the pending operation) and again when it ends, and a refresh
 * writes it when it ends. `checkpointBytes` adds up what a real engine would serialize during the run.
 */
export class LiveState {
  private readonly resources = new Map<string, ResourceState>();
  private pending: ResourceState[] = [];
  /** Serialized size of each resource (key: urn, or `delete:` + urn + id for a pending delete). */
  private readonly sizes = new Map<string, number>();
  private totalBytes = SNAPSHOT_OVERHEAD_BYTES;
  /** Bytes a real engine would have serialized for checkpoints so far in this run. */
  checkpointBytes = 0;
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
      if (r.delete) this.addPendingDelete(r);
      else this.put(r);
    }
    this.dirty = false;
  }

  /** The size of the whole snapshot as the engine would serialize it now. */
  get snapshotBytes(): number {
    return this.totalBytes;
  }

  /** A mutating step starts: the snapshot is written with `operation` as a pending operation. */
  beginStep(operation: ResourceState): void {
    this.checkpointBytes += this.totalBytes + serializedBytes(operation);
  }

  /** A mutating step ended (or a refresh ended): the snapshot is written again. */
  endStep(): void {
    this.checkpointBytes += this.totalBytes;
  }

  private setSize(key: string, r: ResourceState | undefined): void {
    this.totalBytes -= this.sizes.get(key) ?? 0;
    if (r) {
      const n = serializedBytes(r);
      this.sizes.set(key, n);
      this.totalBytes += n;
    } else this.sizes.delete(key);
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
    this.setSize(r.urn, r);
    this.dirty = true;
  }

  /** Forgets a resource (deleted, gone, or retained). */
  remove(urn: string): void {
    this.setSize(urn, undefined);
    this.dirty = this.resources.delete(urn) || this.dirty;
  }

  /** Keeps a replaced resource until its delete-replaced step. */
  addPendingDelete(r: ResourceState): void {
    const pending = { ...r, delete: true };
    this.pending.push(pending);
    this.setSize(`delete:${r.urn}:${r.id}`, pending);
    this.dirty = true;
  }

  /** Drops a replaced resource once deleted. */
  removePendingDelete(r: ResourceState): void {
    this.pending = this.pending.filter((p) => !(p.urn === r.urn && p.id === r.id));
    this.setSize(`delete:${r.urn}:${r.id}`, undefined);
    this.dirty = true;
  }

  /** Rewrites references (dependencies, parent, deletedWith) to old URNs taken over through aliases. */
  renameReferences(renamed: ReadonlyMap<string, string>): void {
    if (renamed.size === 0) return;
    const rename = (u: string): string => renamed.get(u) ?? u;
    for (const r of this.resources.values()) {
      const next: ResourceState = { ...r, dependencies: r.dependencies.map(rename) };
      if (r.parent) next.parent = rename(r.parent);
      if (r.deletedWith) next.deletedWith = rename(r.deletedWith);
      if (!deepEqual(next, r)) this.put(next);
    }
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
  /** Create/Update/Delete/Read in flight at most (`--parallel`). */
  pool: Semaphore;
  /**
   * The engine's event loop (deployment_executor.go, handleSingleEvent): step generation, so Check and
   * Diff, runs one resource at a time; only the steps it produces run in parallel.
   */
  loop: Semaphore;
  /** `--continue-on-error`: a failed Create/Update/Delete fails that resource and its dependents only. */
  continueOnError: boolean;
  /** URNs to replace without a Diff (`--replace URN`). */
  replaceTargets: ReadonlySet<string>;
  /** Set once the run is cancelled: no new step starts (steps already running finish), no deletes run. */
  cancelled: boolean;
  /** Answered when the run is cancelled. */
  onCancel: Promise<void>;
  cancel(): void;
  live: LiveState;
  steps: PreviewStep[];
  diagnostics: PreviewDiagnostic[];
  failures: Failure[];
  /** Resources handled so far and known so far, for progress lines. */
  progress: { done: number; known: number };
  /** Writes one line of engine output (progress, errors). */
  log(line: string): void;
}

/**
 * Records a failure that ends the whole run, as the engine does for a step-generation error (a Check
 * failure, a Diff error) and, without --continue-on-error, for a failed Create/Update/Delete
 * (step_executor.go, cancelDueToError): no new step starts, running ones finish, no deletes run.
 */
export function abort(ctx: RunContext, urn: string, message: string): void {
  fail(ctx, urn, message);
  ctx.cancel();
}

/** Records a failed resource: a failure, an error diagnostic and an `error:` line. */
export function fail(ctx: RunContext, urn: string, message: string): void {
  const oneLine = message.replace(/\s*\n\s*/g, " ").trim();
  ctx.failures.push({ urn, message: oneLine });
  ctx.diagnostics.push({ urn, prefix: "error: ", message: oneLine, severity: "error" });
}
