import { formatDuration } from "../../provider/plans/units";
import { accumulate } from "./collections";
import type { PreviewDiagnostic, PreviewDocument, PreviewStep } from "./previewDocument";
import { changedProperties, type PropertyChange } from "./properties";
import { readSchemaChange, TENANT_SCHEMA_TYPE, type SchemaChange } from "./schemaChanges";

/** Type tokens of the three resources (see the resource contract). */
const TYPES = {
  tenantProject: "pulumi-nodejs:dynamic/neon:TenantProject",
  planQuota: "pulumi-nodejs:dynamic/neon:PlanQuota",
  devBranch: "pulumi-nodejs:dynamic/neon:DevBranch",
  removalBrake: "pulumi-nodejs:dynamic/neon:RemovalBrake",
} as const;

/**
 * What happens to one tenant, all of its resources taken together. `retain` is a removal from plans that
 * leaves the Neon project in place; `delete` and `replace` destroy the tenant's data; `refused` is a plan change
 * that needs a replace the stack did not allow: the project is left as it is (other changes still apply). `move` is
 * a removal from this stack of a tenant still in the plans (a residency or region edit, a shard or bucket change): the
 * project is kept whatever `onRemove` says, and the stack now managing the tenant takes it over by name.
 */
export type TenantAction = "refused" | "move" | "replace" | "delete" | "retain" | "create" | "update" | "same";

/** The fleet-level change of one tenant (its TenantProject and PlanQuota steps merged). */
export interface TenantChange {
  id: string;
  action: TenantAction;
  /** The tier after the change (before it, for removals); `?` when no step carried it. */
  tier: string;
  /** The region after the change (before it, for removals); `?` when no step carried it. */
  region: string;
  /** `branch` for a branch of a template project, `project` for a tenant with its own; `?` when no step carried it. */
  placement: string;
  /** The properties that force a replace, e.g. `region aws-us-east-2 -> aws-eu-central-1`. */
  replaceReasons: PropertyChange[];
  /** Properties changed in place, in plan units. */
  changes: PropertyChange[];
  /** The preview reported an error on one of this tenant's resources. */
  failed: boolean;
  /** Why the provider refused a replace (the TenantProject's `refusedChange` input), for `refused` tenants. */
  refusal?: string;
  /** A point-in-time restore the step applies (a restore token new to the tenant's inputs). */
  restore?: TenantRestore;
  /** A transfer to another Neon organization (in place: same project, data and connection strings). */
  orgMove?: { from: string; to: string };
  /** For `move`: the region the plans now place the tenant in (another stack's). */
  movesTo?: string;
  /** For `move`, when the previews of both stacks were summarized together: the stack the tenant moves to. */
  movesToStack?: string;
  /**
   * The tenant's former id when the tenant is renamed (`formerIds`): its resources take over the old tenant's,
   * the preview's step names the old resource in its old state, and the project is renamed in place.
   */
  renamedFrom?: string;
  /** A create that takes over a live project (`adopt:`), with what putting it on its tier changes. */
  adoption?: TenantAdoption;
  /**
   * A tenant this preview removes whose project this tenant's `adopt:` names: a rename written as adopt, which `up`
   * refuses (the removal runs last, and with `onRemove: delete` would delete the adopted project).
   */
  adoptsProjectOf?: string;
}

/** An adoption as the preview shows it (the program reads the project while previewing, see stacks/adoptions.ts). */
export interface TenantAdoption {
  projectId: string;
  /** Tier settings that change, before -> after in plan units, e.g. `storage unlimited -> 512MiB`. */
  changes: string;
}

/** A restore of a tenant's default branch, as the preview shows it. */
export interface TenantRestore {
  /** RFC 3339 UTC. */
  to: string;
  /** The branch that keeps the writes after `to`. */
  backupBranch: string;
}

/** What happens to one dev branch; `reset` is an update whose reset token changed. */
export type BranchAction = "replace" | "delete" | "create" | "reset" | "update" | "same";

/** The change of one DevBranch. */
export interface BranchChange {
  name: string;
  action: BranchAction;
  parent: string;
  /** Time to live in plan units. */
  ttl: string;
  replaceReasons: PropertyChange[];
  changes: PropertyChange[];
}

/** A changing resource of a type the summary does not know (anything but the stack and providers). */
export interface OtherChange {
  type: string;
  name: string;
  op: string;
}

/** A warning or error of the preview, with the resource it concerns. */
export interface FleetDiagnostic {
  severity: "error" | "warning";
  /** Resource name (tenant id, branch name) or empty for the whole preview. */
  subject: string;
  message: string;
}

/** A preview document read as changes to the fleet. */
export interface FleetChanges {
  /** The stack the preview is of (from its URNs), when it has any step. */
  stack?: string;
  tenants: TenantChange[];
  /** The dev project (TenantProject and PlanQuota named `dev/<project name>`), when the preview shows it. */
  devProjects: TenantChange[];
  /** The branch tiers' template projects (named `template/<tier>/<region>/<n>`), when the preview shows them. */
  templateProjects: TenantChange[];
  branches: BranchChange[];
  others: OtherChange[];
  /**
   * Mass removals the stack's brake refused (the RemovalBrake's Check failure): the preview stopped before any step,
   * so the removed tenants themselves are not listed.
   */
  massRemovalRefusals: string[];
  /** Tenants leaving for other stacks beyond those the brake names (it names at most 1,000). */
  unnamedMoves: number;
  /** Schema migrations pending on tenants and dev branches (TenantSchema steps), if any. */
  schema?: SchemaChange;
  diagnostics: FleetDiagnostic[];
  /** The engine's own per-operation resource counts (`changeSummary`). */
  resourceCounts: Record<string, number>;
  durationNanos?: number;
}

type StepAction = "replace" | "delete" | "create" | "update" | "same";

const STEP_ACTIONS: Record<string, StepAction> = {
  create: "create",
  import: "create",
  update: "update",
  replace: "replace",
  "create-replacement": "replace",
  "delete-replaced": "replace",
  "import-replacement": "replace",
  delete: "delete",
  same: "same",
  read: "same",
  refresh: "same",
};

const TENANT_PRECEDENCE: readonly TenantAction[] = [
  "same",
  "update",
  "create",
  "retain",
  "delete",
  "move",
  "replace",
  "refused",
];
const BRANCH_PRECEDENCE: readonly BranchAction[] = ["same", "update", "reset", "create", "delete", "replace"];

/** Reads every step of a preview into per-tenant and per-branch changes. */
export function readFleetChanges(doc: PreviewDocument): FleetChanges {
  const tenants = new Map<string, TenantAccumulator>();
  const branches = new Map<string, BranchAccumulator>();
  const others: OtherChange[] = [];
  const moves = new Map<string, string>();
  let movesCounted = 0;
  for (const step of doc.steps ?? []) {
    const { type, name } = parseUrn(step.urn);
    const action = STEP_ACTIONS[step.op];
    if (type === TYPES.removalBrake) {
      const brake = readBrake(step);
      for (const move of brake.moving) moves.set(move.tenantId, move.region);
      movesCounted = Math.max(movesCounted, brake.moves);
    } else if (type === TYPES.tenantProject || type === TYPES.planQuota) {
      if (action) accumulate(tenants, name, () => newTenant(name)).add(step, type, action);
    } else if (type === TYPES.devBranch) {
      if (action) accumulate(branches, name, () => newBranch(name)).add(step, action);
    } else if (type === TENANT_SCHEMA_TYPE) {
    } else if (action !== "same" && type !== "pulumi:pulumi:Stack" && !type.startsWith("pulumi:providers:")) {
      others.push({ type, name, op: step.op });
    }
  }
  const diagnostics = readDiagnostics(doc.diagnostics ?? []);
  const schema = readSchemaChange(doc.steps ?? []);
  const failedNames = new Set(diagnostics.filter((d) => d.severity === "error").map((d) => d.subject));
  const all = [...tenants.values()].map((t) => asMove(t.result(failedNames.has(t.id)), moves));
  const massRemovalRefusals = (doc.diagnostics ?? [])
    .filter((d) => d.severity === "error" && d.urn && parseUrn(d.urn).type === TYPES.removalBrake)
    .map((d) => brakeRefusal(withoutTrace(d.message ?? "")));
  const firstUrn = doc.steps?.[0]?.urn;
  markRenamesByAdopt(doc.steps ?? [], all);
  return {
    ...(firstUrn ? { stack: firstUrn.split("::")[0]!.replace(/^urn:pulumi:/, "") } : {}),
    tenants: all.filter((t) => !isDevProject(t.id) && !isTemplateProject(t.id)),
    devProjects: all.filter((t) => isDevProject(t.id)),
    templateProjects: all.filter((t) => isTemplateProject(t.id)),
    branches: [...branches.values()].map((b) => b.result()),
    others,
    massRemovalRefusals,
    unnamedMoves: Math.max(0, movesCounted - moves.size),
    ...(schema ? { schema } : {}),
    diagnostics,
    resourceCounts: doc.changeSummary ?? {},
    durationNanos: doc.duration ?? undefined,
  };
}

/**
 * The previews of several stacks (one pull request previewed stack by stack) as one set of changes. A tenant that one
 * stack's brake names as leaving and another stack creates is one move, to that stack: its create is not listed apart
 * (the create takes the project over by name).
 */
export function mergeFleetChanges(all: readonly FleetChanges[]): FleetChanges {
  if (all.length === 1) return all[0]!;
  const arrivals = new Map<string, string>();
  for (const changes of all) {
    for (const t of changes.tenants) if (t.action === "create" && changes.stack) arrivals.set(t.id, changes.stack);
  }
  const moving = new Set(all.flatMap((c) => c.tenants.filter((t) => t.action === "move").map((t) => t.id)));
  const tenants = all.flatMap((changes) =>
    changes.tenants.flatMap((t): TenantChange[] => {
      if (t.action === "create" && moving.has(t.id) && arrivals.get(t.id) === changes.stack) return [];
      const to = t.action === "move" ? arrivals.get(t.id) : undefined;
      return [to !== undefined && to !== changes.stack ? { ...t, movesToStack: to } : t];
    }),
  );
  const inStack = (changes: FleetChanges, message: string) =>
    changes.stack ? `stack ${changes.stack}: ${message}` : message;
  const resourceCounts: Record<string, number> = {};
  for (const [op, n] of all.flatMap((c) => Object.entries(c.resourceCounts))) {
    resourceCounts[op] = (resourceCounts[op] ?? 0) + n;
  }
  const schemas = all.map((c) => c.schema).filter((x): x is SchemaChange => x !== undefined);
  return {
    tenants,
    devProjects: all.flatMap((c) => c.devProjects),
    templateProjects: all.flatMap((c) => c.templateProjects),
    branches: all.flatMap((c) => c.branches),
    others: all.flatMap((c) => c.others),
    massRemovalRefusals: all.flatMap((c) => c.massRemovalRefusals.map((m) => inStack(c, m))),
    unnamedMoves: all.reduce((sum, c) => sum + c.unnamedMoves, 0),
    ...(schemas.length > 0 ? { schema: mergeSchemas(schemas) } : {}),
    diagnostics: all.flatMap((c) => c.diagnostics.map((d) => ({ ...d, message: inStack(c, d.message) }))),
    resourceCounts,
    durationNanos: Math.max(...all.map((c) => c.durationNanos ?? 0)) || undefined,
  };
}

function mergeSchemas(schemas: readonly SchemaChange[]): SchemaChange {
  return {
    pending: [...new Set(schemas.flatMap((s) => s.pending))].sort(),
    tenants: schemas.reduce((sum, s) => sum + s.tenants, 0),
    devBranches: schemas.reduce((sum, s) => sum + s.devBranches, 0),
    canary: [...new Set(schemas.flatMap((s) => s.canary))],
  };
}

/** What the brake's checked inputs say about tenants leaving for other stacks (provider/resources/removalBrake.ts). */
function readBrake(step: PreviewStep): { moving: { tenantId: string; region: string }[]; moves: number } {
  const inputs = step.newState?.inputs ?? {};
  const listed = Array.isArray(inputs.moving) ? (inputs.moving as unknown[]) : [];
  const moving = listed.filter(
    (m): m is { tenantId: string; region: string } =>
      typeof m === "object" &&
      m !== null &&
      typeof (m as { tenantId?: unknown }).tenantId === "string" &&
      typeof (m as { region?: unknown }).region === "string",
  );
  return { moving, moves: typeof inputs.moves === "number" ? inputs.moves : moving.length };
}

/**
 * The refusal of a brake's failed Check without what the engine puts around it (the CLI: `... property tenants value
 * ... has a problem: <reason>`; the engine double: `tenants: <reason>`).
 */
function brakeRefusal(message: string): string {
  const start = message.indexOf("mass removal refused");
  return (start >= 0 ? message.slice(start) : message.replace(/^\s*error: /, "")).trim();
}

/** A removal of a tenant the brake named as leaving for another stack is a move: its project is kept. */
function asMove(tenant: TenantChange, moves: ReadonlyMap<string, string>): TenantChange {
  const to = moves.get(tenant.id);
  if (to === undefined || (tenant.action !== "delete" && tenant.action !== "retain")) return tenant;
  return { ...tenant, action: "move", movesTo: to };
}

/** Marks each created tenant whose `adopt:` names the project of a TenantProject this preview removes. */
function markRenamesByAdopt(steps: readonly PreviewStep[], tenants: TenantChange[]): void {
  const removed = new Map<string, string>();
  const adopting = new Map<string, string>();
  for (const step of steps) {
    const { type, name } = parseUrn(step.urn);
    if (type !== TYPES.tenantProject) continue;
    if (step.op === "delete" && step.oldState?.id) removed.set(step.oldState.id, name);
    const adopt = step.newState?.inputs?.adopt;
    if (step.op === "create" && typeof adopt === "string") adopting.set(name, adopt);
  }
  for (const tenant of tenants) {
    const owner = removed.get(adopting.get(tenant.id) ?? "");
    if (owner !== undefined) tenant.adoptsProjectOf = owner;
  }
}

/** The stack program names the dev project's resources `dev/<project name>`; a tenant id cannot contain `/`. */
/** Template projects are named `template/...`: tenant ids cannot hold `/`. */
function isTemplateProject(name: string): boolean {
  return name.startsWith("template/");
}

function isDevProject(name: string): boolean {
  return name.startsWith("dev/");
}

/** Splits `urn:pulumi:STACK::PROJECT::[PARENT$]TYPE::NAME` into the resource's own type and its name. */
function parseUrn(urn: string): { type: string; name: string } {
  const parts = urn.split("::");
  const qualifiedType = parts[2] ?? "";
  return { type: qualifiedType.slice(qualifiedType.lastIndexOf("$") + 1), name: parts.slice(3).join("::") };
}

/** Collects property changes once each, whichever of a tenant's steps reports them. */
class ChangeSet {
  private readonly seen = new Set<string>();
  readonly list: PropertyChange[] = [];

  addAll(changes: readonly PropertyChange[]): void {
    for (const change of changes) {
      const key = `${change.label}\u0000${change.from}\u0000${change.to}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.list.push(change);
    }
  }
}

/** The replace reasons and in-place changes of a step, with replace-forcing properties kept out of the latter. */
function stepChanges(
  step: PreviewStep,
  action: StepAction,
): { replaceReasons: PropertyChange[]; changes: PropertyChange[] } {
  // The delete-replaced half of a replace carries only the old state: nothing to compare.
  if ((action !== "update" && action !== "replace") || !step.oldState || !step.newState)
    return { replaceReasons: [], changes: [] };
  const all = changedProperties(step.oldState?.inputs, step.newState?.inputs);
  if (action === "update") return { replaceReasons: [], changes: all };
  const reasons = step.replaceReasons?.length
    ? changedProperties(step.oldState?.inputs, step.newState?.inputs, step.replaceReasons)
    : all;
  const reasonLabels = new Set(reasons.map((r) => r.label));
  return { replaceReasons: reasons, changes: all.filter((c) => !reasonLabels.has(c.label)) };
}

/** A string input as it will be after the step, or as it was when the step removes the resource. */
function stringInput(step: PreviewStep, key: string): { value?: string; after: boolean } {
  const after = step.newState != null;
  const value = (after ? step.newState : step.oldState)?.inputs?.[key];
  return { value: typeof value === "string" ? value : undefined, after };
}

/**
 * Keeps the value a resource will have after the preview: a value read from a new state wins over one read
 * from an old state (the delete-replaced half of a region move still names the old region).
 */
class LatestValue {
  private value?: string;
  private fromAfter = false;

  offer(found: { value?: string; after: boolean }): void {
    if (found.value === undefined || (this.fromAfter && !found.after)) return;
    if (this.value === undefined || found.after) {
      this.value = found.value;
      this.fromAfter = found.after;
    }
  }

  get(): string {
    return this.value ?? "?";
  }
}

type TenantAccumulator = ReturnType<typeof newTenant>;

function newTenant(id: string) {
  let action: TenantAction = "same";
  const tier = new LatestValue();
  const region = new LatestValue();
  const placement = new LatestValue();
  const replaceReasons = new ChangeSet();
  const changes = new ChangeSet();
  let refusal: string | undefined;
  let restore: TenantRestore | undefined;
  let orgMove: { from: string; to: string } | undefined;
  let renamedFrom: string | undefined;
  let adoption: TenantAdoption | undefined;
  return {
    id,
    add(step: PreviewStep, type: string, stepAction: StepAction): void {
      // Read from the new inputs, not from diffReasons/detailedDiff: `pulumi preview --json` leaves those empty for
      // dynamic resources. A refusal recorded by an earlier run still shows, as long as the plan asks for the move.
      const refused = type === TYPES.tenantProject ? step.newState?.inputs?.refusedChange : undefined;
      if (typeof refused === "string") refusal = refused;
      if (type === TYPES.tenantProject && stepAction === "update") {
        restore ??= restoreOf(step);
        orgMove ??= orgMoveOf(step);
      }
      // An alias took the old resource over: the step's old state carries the old URN (step_generator.go).
      const formerName = step.oldState?.urn ? parseUrn(step.oldState.urn).name : id;
      if (type === TYPES.tenantProject && formerName !== id) renamedFrom = formerName;
      if (type === TYPES.tenantProject && stepAction === "create") adoption ??= adoptionOf(step);
      const stepTenantAction = typeof refused === "string" ? "refused" : tenantAction(step, type, stepAction);
      action = stronger(TENANT_PRECEDENCE, action, stepTenantAction);
      tier.offer(stringInput(step, "tier"));
      region.offer(stringInput(step, "region"));
      if (type === TYPES.tenantProject) {
        const found = stringInput(step, "placement");
        placement.offer({ ...found, value: found.value ?? "project" });
      }
      const found = stepChanges(step, stepAction);
      replaceReasons.addAll(found.replaceReasons);
      changes.addAll(found.changes);
    },
    result(failed: boolean): TenantChange {
      return {
        id,
        action,
        tier: tier.get(),
        region: region.get(),
        placement: placement.get(),
        replaceReasons: replaceReasons.list,
        changes: changes.list,
        failed,
        refusal,
        ...(restore && { restore }),
        ...(orgMove && { orgMove }),
        ...(renamedFrom !== undefined && { renamedFrom }),
        ...(adoption && { adoption }),
      };
    },
  };
}

/** The adoption a create makes: an `adopt` input the program described with `adoptionChanges`. */
function adoptionOf(step: PreviewStep): TenantAdoption | undefined {
  const { adopt, adoptionChanges } = step.newState?.inputs ?? {};
  if (typeof adopt !== "string" || typeof adoptionChanges !== "string") return undefined;
  return { projectId: adopt, changes: adoptionChanges };
}

/** The restore an update applies: a `restore` input whose token differs from the one recorded before. */
function restoreOf(step: PreviewStep): TenantRestore | undefined {
  const after = step.newState?.inputs?.restore as { to?: unknown; token?: unknown; backupBranch?: unknown } | undefined;
  const before = step.oldState?.inputs?.restore as { token?: unknown } | undefined;
  if (!after || typeof after.to !== "string" || typeof after.backupBranch !== "string") return undefined;
  if (after.token === before?.token) return undefined;
  return { to: after.to, backupBranch: after.backupBranch };
}

/** The organization transfer an update applies: an `org` input that names another organization than before. */
function orgMoveOf(step: PreviewStep): { from: string; to: string } | undefined {
  const from = step.oldState?.inputs?.org;
  const to = step.newState?.inputs?.org;
  return typeof from === "string" && typeof to === "string" && from !== to ? { from, to } : undefined;
}

/**
 * Removing a tenant deletes both of its resources; only the TenantProject's old `onRemove` says whether the
 * Neon project goes too (`retain` is the default of the plans), and a PlanQuota delete never destroys data.
 */
function tenantAction(step: PreviewStep, type: string, stepAction: StepAction): TenantAction {
  if (stepAction !== "delete") return stepAction;
  return type === TYPES.tenantProject && step.oldState?.inputs?.onRemove === "delete" ? "delete" : "retain";
}

type BranchAccumulator = ReturnType<typeof newBranch>;

function newBranch(name: string) {
  let action: BranchAction = "same";
  const parent = new LatestValue();
  let ttl: number | undefined;
  const replaceReasons = new ChangeSet();
  const changes = new ChangeSet();
  return {
    add(step: PreviewStep, stepAction: StepAction): void {
      const found = stepChanges(step, stepAction);
      const resets = stepAction === "update" && found.changes.some((c) => c.label === "resetToken");
      action = stronger(BRANCH_PRECEDENCE, action, resets ? "reset" : stepAction);
      parent.offer(stringInput(step, "parent"));
      const ttlSeconds = (step.newState ?? step.oldState)?.inputs?.ttlSeconds;
      if (typeof ttlSeconds === "number") ttl = ttlSeconds;
      replaceReasons.addAll(found.replaceReasons);
      changes.addAll(found.changes);
    },
    result(): BranchChange {
      return {
        name,
        action,
        parent: parent.get(),
        ttl: ttl === undefined ? "?" : formatDuration(ttl),
        replaceReasons: replaceReasons.list,
        changes: changes.list,
      };
    },
  };
}

function stronger<T>(order: readonly T[], a: T, b: T): T {
  return order.indexOf(b) > order.indexOf(a) ? b : a;
}

/** Errors and warnings only: info diagnostics are program output, not findings about the change. */
function readDiagnostics(diagnostics: readonly PreviewDiagnostic[]): FleetDiagnostic[] {
  const result: FleetDiagnostic[] = [];
  for (const d of diagnostics) {
    if (d.severity !== "error" && d.severity !== "warning") continue;
    const { type, name } = d.urn ? parseUrn(d.urn) : { type: "", name: "" };
    const subject = type === "pulumi:pulumi:Stack" ? "" : name;
    // The CLI folds the prefix into the message (`error: ...`); the engine double keeps it apart.
    const message = withoutTrace(d.message ?? "")
      .replace(/^\s*(error|warning): /, "")
      .trim();
    result.push({ severity: d.severity, subject, message });
  }
  return result;
}

/** Terminal colour and cursor codes, which a program's crash report carries into the preview's messages. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is exactly what this strips from engine output.
const TERMINAL_CODES = /\u001b\[[0-9;?]*[A-Za-z]/g;

/**
 * A diagnostic's message as a reviewer should read it: without colour codes and without the stack trace an
 * unexpected program error brings along (its frames help nobody judging a pull request; the run's log keeps them).
 */
function withoutTrace(message: string): string {
  const lines = message.replace(TERMINAL_CODES, "").split("\n");
  const firstFrame = lines.findIndex((line) => /^\s+at\s/.test(line));
  return (firstFrame < 0 ? lines : lines.slice(0, firstFrame)).join("\n");
}
