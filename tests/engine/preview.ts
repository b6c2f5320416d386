/**
 * The `pulumi preview --json` document (apitype.PreviewDigest), which the engine double writes for
 * every command. Secrets are `[secret]`; values unknown during preview are the unknown sentinel.
 */
import { redact, type PathDiffKind, type PropertyMap } from "./properties";
import type { ResourceState } from "./state";

/** Step kinds, named as in the Pulumi engine's display.StepOp. */
export type StepOp =
  | "create"
  | "update"
  | "replace"
  | "create-replacement"
  | "delete-replaced"
  | "delete"
  | "same"
  | "read"
  | "refresh"
  | "remove-pending-replace";

/** A resource as shown in a step (apitype.ResourceV3 subset). */
export interface PreviewResourceState {
  urn: string;
  custom: boolean;
  type: string;
  id?: string;
  inputs: PropertyMap;
  outputs: PropertyMap;
  parent?: string;
  dependencies?: string[];
  provider?: string;
  protect?: boolean;
  retainOnDelete?: boolean;
  additionalSecretOutputs?: string[];
}

/** One property's change (apitype.PropertyDiff). */
export interface PropertyDiff {
  kind: PathDiffKind | `${PathDiffKind}-replace`;
  inputDiff: boolean;
}

/** One step (apitype.PreviewStep). */
export interface PreviewStep {
  op: StepOp;
  urn: string;
  provider?: string;
  oldState?: PreviewResourceState;
  newState?: PreviewResourceState;
  diffReasons?: string[];
  replaceReasons?: string[];
  detailedDiff?: Record<string, PropertyDiff>;
}

/** A message from the program, the provider or the engine (apitype.PreviewDiagnostic). */
export interface PreviewDiagnostic {
  urn?: string;
  prefix: string;
  message: string;
  severity: "debug" | "info" | "warning" | "error";
}

/** The whole document. `outputs` (stack outputs, redacted) is an addition of the engine double. */
export interface PreviewDocument {
  config: Record<string, string>;
  steps: PreviewStep[];
  duration: number;
  changeSummary: Record<string, number>;
  diagnostics: PreviewDiagnostic[];
  outputs?: Record<string, unknown>;
}

/** A resource state as a step shows it: secrets redacted, engine-only fields dropped. */
export function showState(r: ResourceState): PreviewResourceState {
  return {
    urn: r.urn,
    custom: r.custom,
    type: r.type,
    ...(r.id !== undefined ? { id: r.id } : {}),
    inputs: redact(r.inputs) as PropertyMap,
    outputs: redact(r.outputs) as PropertyMap,
    ...(r.parent ? { parent: r.parent } : {}),
    ...(r.dependencies.length ? { dependencies: r.dependencies } : {}),
    ...(r.provider ? { provider: r.provider } : {}),
    ...(r.protect ? { protect: true } : {}),
    ...(r.retainOnDelete ? { retainOnDelete: true } : {}),
    ...(r.additionalSecretOutputs?.length ? { additionalSecretOutputs: r.additionalSecretOutputs } : {}),
  };
}

/** Counts steps by op like the engine's change summary: a replacement counts once, as `replace`. */
export function changeSummary(steps: readonly PreviewStep[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of steps) {
    if (s.op === "create-replacement" || s.op === "delete-replaced" || s.op === "remove-pending-replace") continue;
    out[s.op] = (out[s.op] ?? 0) + 1;
  }
  return out;
}
