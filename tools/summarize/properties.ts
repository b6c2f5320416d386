import { formatDuration, formatSize, formatSuspend } from "../../provider/plans/units";
import { parseSettingsLine } from "../../provider/resources/tierSettings";
import { SECRET_VALUE, UNKNOWN_VALUE } from "./previewDocument";

/** One property of one resource that changes, both sides already written in plan units. */
export interface PropertyChange {
  /** The name a plan author knows, e.g. `storage` or `max CU`. */
  label: string;
  from: string;
  to: string;
}

interface PropertyView {
  label: string;
  format: (value: number) => string;
}

const plain = (value: number): string => String(value);

/**
 * How resource inputs (Neon's units, see the resource contract) read in plans. Paths are flattened inputs;
 * the labels follow the tiers.yaml keys so a reviewer can find the line that caused the change.
 */
const VIEWS: Record<string, PropertyView> = {
  tier: { label: "tier", format: plain },
  residency: { label: "residency", format: plain },
  region: { label: "region", format: plain },
  pgVersion: { label: "pgVersion", format: plain },
  "quota.logical_size_bytes": { label: "storage", format: formatSize },
  "quota.written_data_bytes": { label: "written data", format: formatSize },
  "quota.data_transfer_bytes": { label: "data transfer", format: formatSize },
  "quota.compute_time_seconds": { label: "compute time", format: formatDuration },
  "quota.active_time_seconds": { label: "active time", format: formatDuration },
  "endpointSettings.autoscaling_limit_min_cu": { label: "min CU", format: plain },
  "endpointSettings.autoscaling_limit_max_cu": { label: "max CU", format: plain },
  "endpointSettings.suspend_timeout_seconds": { label: "suspend", format: formatSuspend },
  historyRetentionSeconds: { label: "historyRetention", format: formatDuration },
  ttlSeconds: { label: "ttl", format: formatDuration },
};

/**
 * Inputs that say nothing a plan author wrote: ids and observations wiring resources together, the provider's
 * replace bookkeeping (a refusal is shown with its own message; `replacing` repeats the replace reasons), and
 * `allowReplace`, an input of older states.
 */
const WIRING = new Set(["tenantId", "projectId", "observedSettings", "refusedChange", "replacing", "allowReplace"]);
/**
 * Inputs the summary shows in a section of their own: a restore (with what destroys data), an organization transfer
 * (under "Moves organization"), an adoption's changes.
 */
const OWN_SECTION = new Set(["restore", "org", "adoptionChanges"]);

/**
 * The properties that differ between two input objects, in plan units, in a stable order.
 * Keys starting with `__` (the serialized dynamic provider), wiring and computed inputs are skipped.
 * @param only when given, just these top-level keys (a step's `replaceReasons`).
 */
export function changedProperties(
  oldInputs: Record<string, unknown> | null | undefined,
  newInputs: Record<string, unknown> | null | undefined,
  only?: readonly string[],
): PropertyChange[] {
  // Plan values are always known at preview time; an input that becomes unknown is another resource's output.
  const computed = Object.keys(newInputs ?? {}).filter((key) => newInputs?.[key] === UNKNOWN_VALUE);
  const skip = (key: string): boolean =>
    key.startsWith("__") ||
    WIRING.has(key) ||
    OWN_SECTION.has(key) ||
    computed.includes(key) ||
    (only !== undefined && !only.includes(key));
  const before = flatten(withSettingsOpened(oldInputs ?? {}), skip);
  const after = flatten(withSettingsOpened(newInputs ?? {}), skip);
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort(byViewOrder);
  const changes: PropertyChange[] = [];
  for (const path of paths) {
    const from = before.get(path);
    const to = after.get(path);
    if (sameValue(from, to)) continue;
    const view = VIEWS[path];
    changes.push({ label: view?.label ?? path, from: formatValue(from, view), to: formatValue(to, view) });
  }
  return changes;
}

/** Writes one input value the way a plan author would, e.g. `10GiB`, `never`, `[secret]`. */
export function formatValue(value: unknown, view?: PropertyView): string {
  if (value === undefined || value === null) return "(none)";
  if (value === UNKNOWN_VALUE) return "(known after up)";
  if (value === SECRET_VALUE) return SECRET_VALUE;
  if (typeof value === "number" && view) return view.format(value);
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/**
 * Inputs with a settings line (PlanQuota's `settings`, TenantProject's `birthSettings`) opened into the tier's
 * objects, so a re-tier reads as `storage 10GiB -> 20GiB`, not as two lines of numbers.
 */
function withSettingsOpened(inputs: Record<string, unknown>): Record<string, unknown> {
  let opened = inputs;
  for (const key of ["settings", "birthSettings"]) {
    const line = opened[key];
    const settings = typeof line === "string" ? parseSettingsLine(line) : undefined;
    if (!settings) continue;
    const { [key]: _line, ...rest } = opened;
    opened = { ...rest, ...settings };
  }
  return opened;
}

function flatten(inputs: Record<string, unknown>, skip: (key: string) => boolean): Map<string, unknown> {
  const flat = new Map<string, unknown>();
  for (const [key, value] of Object.entries(inputs)) {
    if (skip(key)) continue;
    if (isPlainObject(value)) {
      for (const [inner, innerValue] of Object.entries(value)) flat.set(`${key}.${inner}`, innerValue);
    } else {
      flat.set(key, value);
    }
  }
  return flat;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === "object" && typeof b === "object" && JSON.stringify(a) === JSON.stringify(b));
}

const VIEW_ORDER = Object.keys(VIEWS);

/** Known plan properties first, in tiers.yaml order; anything else after, alphabetically. */
function byViewOrder(a: string, b: string): number {
  const rank = (path: string): number => {
    const i = VIEW_ORDER.indexOf(path);
    return i === -1 ? VIEW_ORDER.length : i;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}
