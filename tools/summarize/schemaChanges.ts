import { migrationLabel } from "../../provider/plans/migrations";
import type { PreviewStep } from "./previewDocument";

/** Type token of the schema resource. */
export const TENANT_SCHEMA_TYPE = "pulumi-nodejs:dynamic/neon:TenantSchema";

/** The schema migrations a preview would apply, over all tenants and dev branches. */
export interface SchemaChange {
  /** Labels of the migrations pending somewhere (`0004_add_invoices`), in version order. */
  pending: string[];
  /** Tenants with at least one pending migration. */
  tenants: number;
  /** Dev branches (`dev/<branch>`) with at least one pending migration. */
  devBranches: number;
  /** Canary tenants among those, migrated before the rest. */
  canary: string[];
}

interface PlannedShape {
  version: number;
  name: string;
}

/**
 * Reads the TenantSchema steps of a preview: each one's planned migrations (new inputs) beyond the version its
 * state records (old outputs; 0 for a create). Undefined when no migration is pending anywhere.
 */
export function readSchemaChange(steps: readonly PreviewStep[]): SchemaChange | undefined {
  const pending = new Map<number, string>();
  let tenants = 0;
  let devBranches = 0;
  const canary: string[] = [];
  for (const step of steps) {
    if (!step.urn.includes(`::${TENANT_SCHEMA_TYPE}::`) || step.op === "same" || step.op === "delete") continue;
    const inputs = step.newState?.inputs ?? {};
    const planned = Array.isArray(inputs.migrations) ? (inputs.migrations as PlannedShape[]) : [];
    const oldState = step.oldState as { outputs?: { version?: unknown } } | null | undefined;
    const outputs = oldState?.outputs ?? {};
    const version = typeof outputs.version === "number" ? outputs.version : 0;
    const beyond = planned.filter((m) => typeof m.version === "number" && m.version > version);
    if (beyond.length === 0) continue;
    for (const m of beyond) pending.set(m.version, migrationLabel(m));
    const name = step.urn.split("::").slice(3).join("::");
    if (name.startsWith("dev/")) devBranches++;
    else tenants++;
    if (inputs.stage === "canary") canary.push(name);
  }
  if (pending.size === 0) return undefined;
  const labels = [...pending.entries()].sort(([a], [b]) => a - b).map(([, label]) => label);
  return { pending: labels, tenants, devBranches, canary: canary.sort() };
}
