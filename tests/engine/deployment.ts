/**
 * The step generator and executor for `preview` and `up`, driven by the program's registrations:
 * each custom resource goes Check -> Diff -> Create/Update (or a replacement) through the default
 * provider; components and the root stack are recorded without a provider. The registration is answered
 * once its step is done, so dependents (which await their dependencies' outputs) naturally come later.
 */
import { FleetError } from "../../provider/errors";
import { DefaultProvider, DYNAMIC_PACKAGE } from "./defaultProvider";
import type { MonitorHandler, Registration, RegistrationResult, Severity } from "./monitor";
import { showState, type PreviewStep, type PropertyDiff } from "./preview";
import {
  annotateSecrets,
  applyIgnoreChanges,
  deepEqual,
  diffPaths,
  forProvider,
  type PropertyMap,
} from "./properties";
import { ProviderCallError, type DiffResult, type ProviderHost } from "./providerHost";
import { fail, ProtectedResourceError, type RunContext } from "./run";
import type { ResourceState } from "./state";

/** A registration the engine double refuses (explicit providers, foreign packages, duplicates). */
export class UnsupportedRegistrationError extends FleetError {}

/** Type token of the root stack component. */
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** Handles registrations for one preview/up. */
export class Deployment implements MonitorHandler {
  /** URNs registered by the program, in registration order (a valid dependency order). */
  readonly registered: string[] = [];
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
   * ResourceMonitor.RegisterResource. A failed step fails that resource only: it is answered with a
   * FAIL result, and resources depending on a failed one are skipped (kept as they were), so the
   * program and the other resources carry on.
   */
  async registerResource(reg: Registration): Promise<RegistrationResult> {
    this.ctx.progress.known++;
    try {
      if (this.seen.has(reg.urn)) throw new UnsupportedRegistrationError(`${reg.urn}: registered twice; resource names must be unique per type`);
      this.seen.add(reg.urn);
      this.registered.push(reg.urn);
      if ([...reg.dependencies, reg.parent].some((u) => u !== undefined && this.failed.has(u))) return this.skip(reg);
      return reg.custom ? await this.custom(reg) : this.component(reg);
    } catch (e) {
      this.failed.add(reg.urn);
      fail(this.ctx, reg.urn, (e as Error).message);
      return { id: "", outputs: {}, result: "fail" };
    } finally {
      this.ctx.progress.done++;
    }
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

  private component(reg: Registration): RegistrationResult {
    const old = this.ctx.live.get(reg.urn);
    const next: ResourceState = { ...baseState(reg), outputs: old?.outputs ?? {} };
    const op = !old ? "create" : deepEqual(old.inputs, next.inputs) ? "same" : "update";
    this.record({ op, urn: reg.urn, ...(old ? { oldState: showState(old) } : {}), newState: showState(next) });
    this.components.set(reg.urn, next);
    if (!this.ctx.dryRun) this.ctx.live.put(next);
    return { id: "", outputs: {}, result: "success" };
  }

  private async custom(reg: Registration): Promise<RegistrationResult> {
    if (reg.provider) throw new UnsupportedRegistrationError(`explicit provider ${reg.provider}: the engine double only runs the default ${DYNAMIC_PACKAGE} provider; drop the provider option`);
    if (!reg.type.startsWith(`${DYNAMIC_PACKAGE}:`)) throw new UnsupportedRegistrationError(`${reg.type}: only dynamic resources (${DYNAMIC_PACKAGE}:dynamic/...) are supported by the engine double`);
    const { host, ref } = await this.provider.registered();
    if (!this.providerRegistered) {
      // The provider resource goes right before its first user, keeping `registered` a dependency order.
      this.providerRegistered = true;
      this.registered.splice(this.registered.indexOf(reg.urn), 0, this.provider.urn);
    }
    return this.ctx.pool.run(() => this.step(host, reg, ref));
  }

  /** Check, Diff, then the operation the diff calls for. */
  private async step(host: ProviderHost, reg: Registration, providerRef: string): Promise<RegistrationResult> {
    const old = this.ctx.live.get(reg.urn);
    const goal = applyIgnoreChanges(old?.inputs ?? {}, reg.inputs, old ? reg.ignoreChanges : []);
    const checked = await host.check(reg.urn, forProvider(old?.inputs ?? {}), forProvider(goal));
    if (checked.failures.length) {
      throw new ProviderCallError(checked.failures.map((f) => `${f.property ? `${f.property}: ` : ""}${f.reason}`).join("; "));
    }
    const inputs = annotateSecrets(checked.inputs, goal, []);
    const next: ResourceState = { ...baseState(reg), provider: providerRef, inputs, outputs: {} };
    if (!old) return this.create(host, next, reg);
    next.id = old.id;
    const diff = await host.diff(reg.urn, old.id ?? "", forProvider(old.outputs), forProvider(inputs), forProvider(old.inputs), reg.ignoreChanges);
    const changes = describeChanges(old.inputs, inputs, diff);
    if (!changes.changed) {
      const same = { ...next, outputs: old.outputs };
      this.record({ op: "same", urn: reg.urn, provider: providerRef, oldState: showState(old), newState: showState(same) });
      if (!this.ctx.dryRun) this.ctx.live.put(same);
      return { id: old.id ?? "", outputs: old.outputs, result: "success" };
    }
    if (diff.replaces.length) return this.replace(host, old, next, reg, changes, reg.deleteBeforeReplace ?? diff.deleteBeforeReplace);
    return this.update(host, old, next, reg, changes);
  }

  private async create(host: ProviderHost, next: ResourceState, reg: Registration): Promise<RegistrationResult> {
    const created = await this.createOrPreview(host, next, reg);
    this.record({ op: "create", urn: reg.urn, provider: next.provider, newState: showState(created) });
    return { id: created.id ?? "", outputs: created.outputs, result: "success" };
  }

  /** Create through the provider (up) or just show the inputs as outputs (preview: Create is never called). */
  private async createOrPreview(host: ProviderHost, next: ResourceState, reg: Registration): Promise<ResourceState> {
    if (this.ctx.dryRun) return { ...next, id: "", outputs: next.inputs };
    try {
      const { id, properties } = await host.create(reg.urn, forProvider(next.inputs));
      const created = { ...next, id, outputs: annotateSecrets(properties, next.inputs, reg.additionalSecretOutputs) };
      this.ctx.live.put(created);
      return created;
    } catch (e) {
      if (e instanceof ProviderCallError && e.initFailed) {
        const outputs = annotateSecrets(e.initFailed.properties, next.inputs, reg.additionalSecretOutputs);
        this.ctx.live.put({ ...next, id: e.initFailed.id, outputs, initErrors: e.initFailed.reasons });
      }
      throw e;
    }
  }

  private async update(host: ProviderHost, old: ResourceState, next: ResourceState, reg: Registration, changes: Changes): Promise<RegistrationResult> {
    let outputs = next.inputs;
    if (!this.ctx.dryRun) {
      try {
        const props = await host.update(reg.urn, old.id ?? "", forProvider(old.outputs), forProvider(next.inputs), forProvider(old.inputs));
        outputs = annotateSecrets(props, next.inputs, reg.additionalSecretOutputs);
      } catch (e) {
        // A partial failure (ErrorResourceInitFailed) still records the outputs the provider reported, with the
        // new inputs, and fails the step: pkg/resource/deploy/step.go, UpdateStep.Apply copies `outs` into the
        // new state when the status is StatusPartialFailure.
        if (e instanceof ProviderCallError && e.initFailed) {
          const reported = annotateSecrets(e.initFailed.properties, next.inputs, reg.additionalSecretOutputs);
          this.ctx.live.put({ ...next, id: old.id, outputs: reported, initErrors: e.initFailed.reasons });
        }
        throw e;
      }
      this.ctx.live.put({ ...next, outputs });
    }
    const updated = { ...next, outputs };
    this.record({ op: "update", urn: reg.urn, provider: next.provider, oldState: showState(old), newState: showState(updated), diffReasons: changes.diffReasons, detailedDiff: changes.detailedDiff });
    return { id: old.id ?? "", outputs, result: "success" };
  }

  /**
   * A replacement. Delete-before-replace deletes the old resource first; otherwise the replacement is
   * created now and the old one deleted after the program completes (delete-replaced), as the engine
   * does. A preview lists all three steps at once.
   */
  private async replace(host: ProviderHost, old: ResourceState, next: ResourceState, reg: Registration, changes: Changes, deleteFirst: boolean): Promise<RegistrationResult> {
    if (old.protect) throw new ProtectedResourceError(reg.urn, "replace");
    const shown = { provider: next.provider, oldState: showState(old), diffReasons: changes.diffReasons, replaceReasons: changes.replaceReasons, detailedDiff: changes.detailedDiff };
    if (deleteFirst) {
      if (!this.ctx.dryRun) {
        if (!old.retainOnDelete) await host.delete(reg.urn, old.id ?? "", forProvider(old.outputs), forProvider(old.inputs));
        this.ctx.live.remove(reg.urn);
      }
      this.record({ op: "delete-replaced", urn: reg.urn, provider: next.provider, oldState: showState(old) });
    }
    let created: ResourceState;
    try {
      created = await this.createOrPreview(host, { ...next, id: undefined }, reg);
    } catch (e) {
      // A replacement that was created but failed to initialize took the URN's place: keep the old one for deletion.
      if (!deleteFirst && this.ctx.live.get(reg.urn) !== old) this.ctx.live.addPendingDelete(old);
      throw e;
    }
    const newState = showState(created);
    if (deleteFirst) {
      this.record({ op: "replace", urn: reg.urn, ...shown, newState });
      this.record({ op: "create-replacement", urn: reg.urn, ...shown, newState });
    } else {
      this.record({ op: "create-replacement", urn: reg.urn, ...shown, newState });
      this.record({ op: "replace", urn: reg.urn, ...shown, newState });
      if (this.ctx.dryRun) this.record({ op: "delete-replaced", urn: reg.urn, provider: next.provider, oldState: showState(old) });
      else this.ctx.live.addPendingDelete(old);
    }
    return { id: created.id ?? "", outputs: created.outputs, result: "success" };
  }

  private record(step: PreviewStep): void {
    this.ctx.steps.push(step);
  }
}

/** What changed between old and new inputs, in the terms of a preview step. */
interface Changes {
  changed: boolean;
  diffReasons: string[];
  replaceReasons: string[];
  detailedDiff: Record<string, PropertyDiff>;
}

/**
 * Combines the provider's Diff with a comparison of old and new inputs. The dynamic provider reports
 * only changes and replaces, so the changed keys and the detailed diff are computed here from the
 * inputs; DIFF_UNKNOWN (no diff implemented) falls back to that comparison entirely, as in the engine.
 */
function describeChanges(oldInputs: PropertyMap, newInputs: PropertyMap, diff: DiffResult): Changes {
  if (diff.changes === "none") return { changed: false, diffReasons: [], replaceReasons: [], detailedDiff: {} };
  const paths = diffPaths(oldInputs, newInputs);
  const changed = diff.changes === "some" || (diff.changes === "unknown" && paths.size > 0);
  const replaceReasons = diff.replaces;
  const detailedDiff: Record<string, PropertyDiff> = {};
  const topLevel = new Set<string>(diff.diffs);
  for (const [path, kind] of paths) {
    const top = path.split(".")[0];
    topLevel.add(top);
    detailedDiff[path] = { kind: replaceReasons.includes(top) ? `${kind}-replace` : kind, inputDiff: true };
  }
  for (const key of replaceReasons) topLevel.add(key);
  return { changed, diffReasons: [...topLevel], replaceReasons, detailedDiff };
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
