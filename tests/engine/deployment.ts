/**
 * The step generator and executor for `preview` and `up`, driven by the program's registrations:
 * each custom resource goes Check -> Diff -> Create/Update (or a replacement) through the default
 * provider; components and the root stack are recorded without a provider. The registration is answered
 * once its step is done, so dependents (which await their dependencies' outputs) naturally come later.
 */
import { FleetError } from "../../provider/errors";
import { type DefaultProvider, DYNAMIC_PACKAGE } from "./defaultProvider";
import type { MonitorHandler, Registration, RegistrationResult, Severity } from "./monitor";
import { showState, type PreviewStep, type PropertyDiff } from "./preview";
import {
  annotateSecrets,
  applyIgnoreChanges,
  deepEqual,
  diffPaths,
  forProvider,
  UNKNOWN,
  type PropertyMap,
} from "./properties";
import { ProviderCallError, type DiffResult, type ProviderHost } from "./providerHost";
import { abort, fail, ProtectedResourceError, type RunContext } from "./run";
import type { ResourceState } from "./state";

/** A registration the engine double refuses (explicit providers, foreign packages, duplicates). */
export class UnsupportedRegistrationError extends FleetError {}

/** Type token of the root stack component. */
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** A Create/Update/Delete the provider failed: under --continue-on-error it fails that resource only. */
class OperationFailedError extends FleetError {
  constructor(readonly original: unknown) {
    super((original as Error).message);
  }
}

/** The run was cancelled before this resource's step started: it gets no step and no answer. */
class CancelledError extends Error {}

/** A registration that never gets an answer: the program is stopped once running steps have finished. */
const unanswered = (): Promise<RegistrationResult> => new Promise(() => undefined);

/** The diff of a targeted replace (`--replace URN`): no Diff call, the `id` is blamed, as in step_generator.go diff. */
const TARGETED_REPLACE: DiffResult = { changes: "some", replaces: ["id"], diffs: [], deleteBeforeReplace: false };

/**
 * Handles registrations for one preview/up, like the engine's step generator and executor
 * (pkg/resource/deploy/step_generator.go, deployment_executor.go, step_executor.go).
 */
export class Deployment implements MonitorHandler {
  /** URNs registered by the program, in registration order (a valid dependency order). */
  readonly registered: string[] = [];
  /** Old URNs taken over by a registration through its aliases (old URN -> new URN). */
  readonly aliased = new Map<string, string>();
  private readonly seen = new Set<string>();
  /** Resources that failed or were skipped in this run. */
  private readonly failed = new Set<string>();
  /** Components registered in this run (their outputs arrive later through registerResourceOutputs). */
  private readonly components = new Map<string, ResourceState>();
  private providerRegistered = false;
  /** Outputs the program set on the root stack. */
  stackOutputs: PropertyMap = {};

  constructor(
    private readonly ctx: RunContext,
    private readonly provider: DefaultProvider,
  ) {}

  /**
   * ResourceMonitor.RegisterResource. A Check failure, a Diff error or an unsupported registration ends the
   * run (deployment_executor.go handleSingleEvent returns the step generator's error; pulumi/pulumi#16133), and
   * so does a failed Create/Update/Delete unless --continue-on-error: the registration is never answered and
   * the program is stopped once the steps already running have finished. Under --continue-on-error a failed
   * operation is answered with a FAIL result and resources depending on it are skipped after their Check.
   */
  async registerResource(reg: Registration): Promise<RegistrationResult> {
    this.ctx.progress.known++;
    try {
      if (this.ctx.cancelled) throw new CancelledError();
      if (this.seen.has(reg.urn))
        throw new UnsupportedRegistrationError(`${reg.urn}: registered twice; resource names must be unique per type`);
      this.seen.add(reg.urn);
      this.registered.push(reg.urn);
      if (!reg.custom) return this.dependsOnFailed(reg) ? this.skip(reg) : this.component(reg);
      return await this.custom(reg);
    } catch (e) {
      if (e instanceof CancelledError) return unanswered();
      this.failed.add(reg.urn);
      if (e instanceof OperationFailedError && this.ctx.continueOnError) {
        fail(this.ctx, reg.urn, e.message);
        return { id: "", outputs: {}, result: "fail" };
      }
      abort(this.ctx, reg.urn, (e as Error).message);
      return unanswered();
    } finally {
      this.ctx.progress.done++;
    }
  }

  private dependsOnFailed(reg: Registration): boolean {
    return [...reg.dependencies, reg.parent].some((u) => u !== undefined && this.failed.has(u));
  }

  /** A resource that depends on a failed one keeps its old state untouched and gets no step. */
  private skip(reg: Registration): RegistrationResult {
    this.failed.add(reg.urn);
    const old = this.ctx.live.get(reg.urn);
    return { id: old?.id ?? "", outputs: old?.outputs ?? {}, result: "skip" };
  }

  /** ResourceMonitor.RegisterResourceOutputs: component outputs; on the root stack, the stack outputs. */
  registerResourceOutputs(urn: string, outputs: PropertyMap): void {
    const component = this.components.get(urn);
    if (!component) return;
    if (component.type === ROOT_STACK_TYPE) this.stackOutputs = outputs;
    const next = { ...component, outputs };
    this.components.set(urn, next);
    if (!this.ctx.dryRun) this.ctx.live.put(next);
  }

  /** Engine.Log: program and SDK messages become diagnostics (a failing program's error is reported from them). */
  log(severity: Severity, message: string, urn: string): void {
    if (severity === "debug") return;
    this.ctx.diagnostics.push({ ...(urn ? { urn } : {}), prefix: `${severity}: `, message, severity });
  }

  /**
   * The old state of a registration: by its URN, else by one of its aliases (step_generator.go
   * getOldResource). An alias match takes the old resource over: same id, no delete, no create; the old
   * URN leaves the state when the new one is written.
   */
  private oldState(reg: Registration): ResourceState | undefined {
    const own = this.ctx.live.get(reg.urn);
    if (own) return own;
    for (const alias of reg.aliases) {
      const old = this.ctx.live.get(alias);
      if (!old || this.aliased.has(alias) || (this.seen.has(alias) && alias !== reg.urn)) continue;
      this.aliased.set(alias, reg.urn);
      return old;
    }
    return undefined;
  }

  /** Writes the new state of a registration, dropping the old URN it was aliased from. */
  private put(next: ResourceState, old: ResourceState | undefined): void {
    if (this.ctx.dryRun) return;
    if (old && old.urn !== next.urn) this.ctx.live.remove(old.urn);
    this.ctx.live.put(next);
  }

  private component(reg: Registration): RegistrationResult {
    const old = this.oldState(reg);
    const next: ResourceState = { ...baseState(reg), outputs: old?.outputs ?? {} };
    const op = !old ? "create" : deepEqual(old.inputs, next.inputs) ? "same" : "update";
    this.record({ op, urn: reg.urn, ...(old ? { oldState: showState(old) } : {}), newState: showState(next) });
    this.components.set(reg.urn, next);
    this.put(next, old);
    return { id: "", outputs: {}, result: "success" };
  }

  private async custom(reg: Registration): Promise<RegistrationResult> {
    if (reg.provider)
      throw new UnsupportedRegistrationError(
        `explicit provider ${reg.provider}: the engine double only runs the default ${DYNAMIC_PACKAGE} provider; drop the provider option`,
      );
    if (!reg.type.startsWith(`${DYNAMIC_PACKAGE}:`))
      throw new UnsupportedRegistrationError(
        `${reg.type}: only dynamic resources (${DYNAMIC_PACKAGE}:dynamic/...) are supported by the engine double`,
      );
    const { host, ref } = await this.provider.registered();
    if (!this.providerRegistered) {
      // The provider resource goes right before its first user, keeping `registered` a dependency order.
      this.providerRegistered = true;
      this.registered.splice(this.registered.indexOf(reg.urn), 0, this.provider.urn);
    }
    return this.step(host, reg, ref);
  }

  /**
   * Check and Diff on the engine's loop, one resource at a time (step_generator.go continueStepsFromImport,
   * diff); then the operation the diff calls for, within --parallel. The loop is held until the step has a
   * slot: the engine hands each step chain to its workers over an unbuffered channel (step_executor.go
   * newStepExecutor, ExecuteSerial), so while --parallel operations run no further Check or Diff starts.
   * A replacement's delete and create are one chain: one slot. In an update (not a preview) unknown values
   * are dropped from what the provider gets, as the provider plugin marshals them with KeepUnknowns off: a
   * failed resource's outputs reach its dependents' Check as missing properties.
   */
  private async step(host: ProviderHost, reg: Registration, providerRef: string): Promise<RegistrationResult> {
    const decided = await this.ctx.loop.run(async () => {
      const found = await this.cancelOnError(() => this.checkAndDiff(host, reg, providerRef));
      // A preview's steps do nothing that takes time: its workers are never all busy.
      const slot = this.ctx.dryRun ? (): void => undefined : await this.ctx.pool.acquire();
      return { ...found, slot };
    });
    try {
      return await this.apply(host, reg, providerRef, decided);
    } finally {
      decided.slot();
    }
  }

  /** The step a decided registration calls for, within the slot the loop took for it. */
  private async apply(
    host: ProviderHost,
    reg: Registration,
    providerRef: string,
    decided: Decided,
  ): Promise<RegistrationResult> {
    if (this.ctx.continueOnError && this.dependsOnFailed(reg)) return this.skip(reg);
    const { old, next, diff } = decided;
    if (!old || !diff) return this.create(host, next, reg);
    const changes = describeChanges(old.inputs, next.inputs, diff);
    if (!changes.changed && !old.pendingReplacement) {
      const same = { ...next, outputs: old.outputs };
      this.record({
        op: "same",
        urn: reg.urn,
        provider: providerRef,
        oldState: showState(old),
        newState: showState(same),
      });
      this.put(same, old);
      return { id: old.id ?? "", outputs: old.outputs, result: "success" };
    }
    if (diff.replaces.length || old.pendingReplacement) {
      return this.replace(host, old, next, reg, changes, reg.deleteBeforeReplace ?? diff.deleteBeforeReplace);
    }
    return this.update(host, old, next, reg, changes);
  }

  /**
   * A Check or Diff error cancels the run before the loop frees its slot, so no registration queued behind it gets
   * a Check: the engine returns from handleSingleEvent with the error and processes no further event
   * (deployment_executor.go).
   */
  private async cancelOnError<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      this.ctx.cancel();
      throw e;
    }
  }

  private async checkAndDiff(
    host: ProviderHost,
    reg: Registration,
    providerRef: string,
  ): Promise<{ old?: ResourceState; next: ResourceState; diff?: DiffResult }> {
    if (this.ctx.cancelled) throw new CancelledError();
    const old = this.oldState(reg);
    const targeted = old !== undefined && this.ctx.replaceTargets.has(reg.urn);
    const goal = applyIgnoreChanges(old?.inputs ?? {}, reg.inputs, old ? reg.ignoreChanges : []);
    const wire = (p: PropertyMap): PropertyMap => (this.ctx.dryRun ? forProvider(p) : withoutUnknowns(forProvider(p)));
    const checked = await host.check(reg.urn, targeted ? {} : wire(old?.inputs ?? {}), wire(goal));
    if (checked.failures.length) {
      const reasons = checked.failures.map((f) => `${f.property ? `${f.property}: ` : ""}${f.reason}`);
      throw new ProviderCallError(reasons.join("; "));
    }
    const inputs = annotateSecrets(checked.inputs, goal, []);
    const next: ResourceState = { ...baseState(reg), provider: providerRef, inputs, outputs: {} };
    if (!old) return { old, next };
    const diff = targeted
      ? TARGETED_REPLACE
      : await host.diff(reg.urn, old.id ?? "", wire(old.outputs), wire(inputs), wire(old.inputs), reg.ignoreChanges);
    return { old, next: { ...next, id: old.id }, diff };
  }

  /**
   * Runs a Create/Update/Delete in the step's slot (taken on the loop), unless the run was cancelled meanwhile;
   * records the checkpoints. Its caller frees the slot after the step's last operation.
   */
  private async operation<T>(operation: ResourceState, call: () => Promise<T>): Promise<T> {
    if (this.ctx.cancelled) throw new CancelledError();
    this.ctx.live.beginStep(operation);
    try {
      return await call();
    } catch (e) {
      // Cancel before the slot frees, so that no queued step starts (step_executor.go cancelDueToError).
      if (!this.ctx.continueOnError) this.ctx.cancel();
      throw new OperationFailedError(e);
    } finally {
      this.ctx.live.endStep();
    }
  }

  private async create(host: ProviderHost, next: ResourceState, reg: Registration): Promise<RegistrationResult> {
    const created = await this.createOrPreview(host, next, reg);
    this.record({ op: "create", urn: reg.urn, provider: next.provider, newState: showState(created) });
    return { id: created.id ?? "", outputs: created.outputs, result: "success" };
  }

  /** Create through the provider (up) or just show the inputs as outputs (preview: Create is never called). */
  private async createOrPreview(
    host: ProviderHost,
    next: ResourceState,
    reg: Registration,
    old?: ResourceState,
  ): Promise<ResourceState> {
    if (this.ctx.dryRun) return { ...next, id: "", outputs: next.inputs };
    try {
      const { id, properties } = await this.operation(next, () => host.create(reg.urn, forProvider(next.inputs)));
      const created = { ...next, id, outputs: annotateSecrets(properties, next.inputs, reg.additionalSecretOutputs) };
      this.put(created, old);
      return created;
    } catch (e) {
      const cause = e instanceof OperationFailedError ? e.original : e;
      if (cause instanceof ProviderCallError && cause.initFailed) this.putInitFailed(next, reg, cause.initFailed, old);
      throw e;
    }
  }

  private putInitFailed(
    next: ResourceState,
    reg: Registration,
    init: NonNullable<ProviderCallError["initFailed"]>,
    old?: ResourceState,
  ): void {
    const outputs = annotateSecrets(init.properties, next.inputs, reg.additionalSecretOutputs);
    this.put({ ...next, id: init.id, outputs, initErrors: init.reasons }, old);
  }

  private async update(
    host: ProviderHost,
    old: ResourceState,
    next: ResourceState,
    reg: Registration,
    changes: Changes,
  ): Promise<RegistrationResult> {
    let outputs = next.inputs;
    if (!this.ctx.dryRun) {
      try {
        const update = () =>
          host.update(
            reg.urn,
            old.id ?? "",
            forProvider(old.outputs),
            forProvider(next.inputs),
            forProvider(old.inputs),
          );
        outputs = annotateSecrets(await this.operation(next, update), next.inputs, reg.additionalSecretOutputs);
      } catch (e) {
        // A partial failure (ErrorResourceInitFailed) still records the outputs the provider reported, with the
        // new inputs, and fails the step: pkg/resource/deploy/step.go, UpdateStep.Apply copies `outs` into the
        // new state when the status is StatusPartialFailure.
        const cause = e instanceof OperationFailedError ? e.original : e;
        if (cause instanceof ProviderCallError && cause.initFailed)
          this.putInitFailed({ ...next, id: old.id }, reg, cause.initFailed, old);
        throw e;
      }
      this.put({ ...next, outputs }, old);
    }
    const updated = { ...next, outputs };
    this.record({
      op: "update",
      urn: reg.urn,
      provider: next.provider,
      oldState: showState(old),
      newState: showState(updated),
      ...changes.shown,
    });
    return { id: old.id ?? "", outputs, result: "success" };
  }

  /**
   * A replacement. Delete-before-replace deletes the old resource first and keeps it in state as pending
   * replacement until the replacement exists (step.go DeleteStep, pendingReplacement), so an interrupted
   * one is diffed and replaced again next run without a second delete; otherwise the replacement is created
   * now and the old one deleted after the program completes (delete-replaced). A preview lists all steps.
   */
  private async replace(
    host: ProviderHost,
    old: ResourceState,
    next: ResourceState,
    reg: Registration,
    changes: Changes,
    deleteFirst: boolean,
  ): Promise<RegistrationResult> {
    if (old.protect) throw new ProtectedResourceError(reg.urn, "replace");
    const shown = {
      provider: next.provider,
      oldState: showState(old),
      replaceReasons: changes.replaceReasons,
      ...changes.shown,
    };
    if (deleteFirst && !old.pendingReplacement) {
      if (!this.ctx.dryRun) {
        if (!old.retainOnDelete)
          await this.operation(old, () =>
            host.delete(reg.urn, old.id ?? "", forProvider(old.outputs), forProvider(old.inputs)),
          );
        this.put({ ...old, pendingReplacement: true }, old);
      }
      this.record({ op: "delete-replaced", urn: reg.urn, provider: next.provider, oldState: showState(old) });
    }
    let created: ResourceState;
    try {
      created = await this.createOrPreview(host, { ...next, id: undefined }, reg, old);
    } catch (e) {
      // A replacement that was created but failed to initialize took the URN's place: keep the old one for deletion.
      if (!deleteFirst && !old.pendingReplacement && this.ctx.live.get(reg.urn) !== old)
        this.ctx.live.addPendingDelete(old);
      throw e;
    }
    const newState = showState(created);
    if (deleteFirst || old.pendingReplacement) {
      this.record({ op: "replace", urn: reg.urn, ...shown, newState });
      this.record({ op: "create-replacement", urn: reg.urn, ...shown, newState });
    } else {
      this.record({ op: "create-replacement", urn: reg.urn, ...shown, newState });
      this.record({ op: "replace", urn: reg.urn, ...shown, newState });
      if (this.ctx.dryRun)
        this.record({ op: "delete-replaced", urn: reg.urn, provider: next.provider, oldState: showState(old) });
      else this.ctx.live.addPendingDelete(old);
    }
    return { id: created.id ?? "", outputs: created.outputs, result: "success" };
  }

  private record(step: PreviewStep): void {
    this.ctx.steps.push(step);
  }
}

/** A registration after Check and Diff: old and new state, the diff (none for a create), its held slot. */
interface Decided {
  old?: ResourceState;
  next: ResourceState;
  diff?: DiffResult;
  /** Frees the step's --parallel slot. */
  slot: () => void;
}

/** What changed, in the terms of a preview step. */
interface Changes {
  changed: boolean;
  replaceReasons: string[];
  /** `diffReasons` and `detailedDiff` as the engine shows them; absent when it has none. */
  shown: { diffReasons?: string[]; detailedDiff?: Record<string, PropertyDiff> };
}

/**
 * The provider's Diff as the engine reports it (step_generator.go diffResource; display/json.go
 * getPreviewMetadataStep). `diffReasons` are the keys the provider named and `detailedDiff` its detailed
 * diff: the dynamic provider names neither, so a `pulumi preview --json` of dynamic resources has no
 * diffReasons and no detailedDiff, only replaceReasons. Only when the provider answers DIFF_UNKNOWN (a
 * dynamic resource without `diff`) does the engine compare old and new inputs itself and report both.
 */
function describeChanges(oldInputs: PropertyMap, newInputs: PropertyMap, diff: DiffResult): Changes {
  const replaceReasons = diff.replaces;
  if (diff.changes !== "unknown") {
    return {
      changed: diff.changes === "some",
      replaceReasons,
      shown: diff.diffs.length ? { diffReasons: diff.diffs } : {},
    };
  }
  const paths = diffPaths(oldInputs, newInputs);
  if (paths.size === 0) return { changed: false, replaceReasons, shown: {} };
  const detailedDiff: Record<string, PropertyDiff> = {};
  const topLevel = new Set<string>();
  for (const [path, kind] of paths) {
    topLevel.add(path.split(".")[0]);
    detailedDiff[path] = { kind, inputDiff: true };
  }
  return { changed: true, replaceReasons, shown: { diffReasons: [...topLevel], detailedDiff } };
}

/** Drops unknown values (the provider plugin's marshalling with KeepUnknowns off, outside previews). */
function withoutUnknowns(props: PropertyMap): PropertyMap {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.filter((x) => x !== UNKNOWN).map(strip);
    if (typeof v !== "object" || v === null) return v;
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== UNKNOWN)
        .map(([k, x]) => [k, strip(x)]),
    );
  };
  return strip(props) as PropertyMap;
}

function baseState(reg: Registration): ResourceState {
  return {
    urn: reg.urn,
    custom: reg.custom,
    type: reg.type,
    inputs: reg.inputs,
    outputs: {},
    ...(reg.parent ? { parent: reg.parent } : {}),
    dependencies: reg.dependencies,
    ...(reg.protect ? { protect: true } : {}),
    ...(reg.retainOnDelete ? { retainOnDelete: true } : {}),
    ...(reg.deletedWith ? { deletedWith: reg.deletedWith } : {}),
    ...(reg.additionalSecretOutputs.length ? { additionalSecretOutputs: reg.additionalSecretOutputs } : {}),
  };
}
