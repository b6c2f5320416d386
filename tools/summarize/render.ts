import { accumulate, groupBy } from "./collections";
import type { BranchChange, FleetChanges, FleetDiagnostic, TenantAction, TenantChange } from "./fleetChanges";
import { BoundedDocument, code, count, details, foldedBullets, nameList, plural, table } from "./markdown";
import type { PropertyChange } from "./properties";

/** Limits of the rendered summary. */
export interface RenderOptions {
  /** Hard cap on the summary's length in characters (GitHub refuses comments over 65,536). */
  maxChars: number;
  /** How many entries a list shows before folding the rest. */
  inline: number;
}

/** The defaults: under GitHub's comment limit with room to spare, one screen before the first fold. */
export const DEFAULT_RENDER_OPTIONS: RenderOptions = { maxChars: 60_000, inline: 20 };

/** Listed at the top, in this order: a refused replace, a move to another stack, a replace, a delete. */
const DANGEROUS: readonly TenantAction[] = ["refused", "move", "replace", "delete"];

/** Caps of the folded part of each list, so that one huge list cannot crowd out the sections after it. */
const FOLD_BUDGET = {
  diagnostics: 6_000,
  dangerous: 12_000,
  orgMoves: 4_000,
  renames: 4_000,
  adoptions: 8_000,
  retained: 6_000,
  changes: 8_000,
  creates: 12_000,
  branches: 4_000,
  others: 2_000,
};

/**
 * Renders fleet changes as Markdown, most consequential first: the verdict line, the preview's errors,
 * what destroys data, what is released from management, counts by tier and region, in-place property changes
 * grouped by value, creates, dev branches.
 */
export function renderSummary(changes: FleetChanges, options: RenderOptions = DEFAULT_RENDER_OPTIONS): string {
  const doc = new BoundedDocument(options.maxChars);
  const tenantsBy = groupBy(changes.tenants, (t) => t.action);
  const budget = (cap: number): number => Math.min(cap, doc.remaining() / 2);
  doc.add(verdict(changes, tenantsBy));
  diagnosticsSection(doc, changes.diagnostics, options.inline, budget(FOLD_BUDGET.diagnostics));
  const devDangerous = changes.devProjects.filter((p) => DANGEROUS.includes(p.action));
  const dangerous = DANGEROUS.flatMap((action) => tenantsBy.get(action) ?? []);
  const restores = changes.tenants.filter((t) => t.restore !== undefined);
  const dangerousLists = { refusals: changes.massRemovalRefusals, unnamedMoves: changes.unnamedMoves };
  const dangerousTenants = [...devDangerous, ...dangerous];
  dangerousSection(doc, dangerousTenants, restores, dangerousLists, options.inline, budget(FOLD_BUDGET.dangerous));
  orgMovesSection(doc, changes.tenants, budget(FOLD_BUDGET.orgMoves));
  renamesSection(doc, changes.tenants, options.inline, budget(FOLD_BUDGET.renames));
  adoptionsSection(doc, changes.tenants, options.inline, budget(FOLD_BUDGET.adoptions));
  retainedSection(doc, tenantsBy.get("retain") ?? [], options.inline, budget(FOLD_BUDGET.retained));
  countsSection(doc, changes.tenants);
  schemaSection(doc, changes);
  changesSection(doc, changes.tenants, options.inline, budget(FOLD_BUDGET.changes));
  createsSection(doc, tenantsBy.get("create") ?? [], options.inline, budget(FOLD_BUDGET.creates));
  devSection(doc, changes, options.inline, budget(FOLD_BUDGET.branches));
  othersSection(doc, changes, options.inline, budget(FOLD_BUDGET.others));
  doc.add(footer(changes));
  return doc.text();
}

function verdict(changes: FleetChanges, tenantsBy: Map<TenantAction, TenantChange[]>): string {
  const n = (action: TenantAction): number => tenantsBy.get(action)?.length ?? 0;
  const errors = changes.diagnostics.filter((d) => d.severity === "error").length;
  const branchChanges = changes.branches.filter((b) => b.action !== "same").length;
  const restores = changes.tenants.filter((t) => t.restore !== undefined).length;
  const orgMoves = changes.tenants.filter((t) => t.orgMove !== undefined).length;
  const moves = n("move") + changes.unnamedMoves;
  const renames = changes.tenants.filter((t) => t.renamedFrom !== undefined).length;
  const parts = [
    renames > 0 && `${count(renames)} renamed`,
    errors > 0 && `${plural(errors, "error")} (preview failed)`,
    changes.massRemovalRefusals.length > 0 && "mass removal refused",
    n("update") > 0 && `${count(n("update"))} to update`,
    n("create") > 0 && `${count(n("create"))} to create`,
    n("retain") > 0 && `${count(n("retain"))} retained`,
    n("delete") > 0 && `${count(n("delete"))} to delete (destroys data)`,
    n("replace") > 0 && `${count(n("replace"))} ${n("replace") === 1 ? "replace" : "replaces"} (destroys data)`,
    moves > 0 && `${count(moves)} to move to other stacks`,
    n("refused") > 0 && `${count(n("refused"))} ${n("refused") === 1 ? "replace" : "replaces"} refused`,
    restores > 0 && `${count(restores)} ${restores === 1 ? "restore" : "restores"} to a point in time`,
    orgMoves > 0 && `${count(orgMoves)} moving organization`,
    ...changes.devProjects.filter((p) => p.action !== "same").map((p) => `dev project: ${p.action}`),
    templates(changes, "create") > 0 && `${plural(templates(changes, "create"), "template project")} to create`,
    branchChanges > 0 && plural(branchChanges, "dev branch change"),
    changes.others.length > 0 && plural(changes.others.length, "other resource change"),
  ].filter((p): p is string => typeof p === "string");
  return `**neon-fleet preview: ${parts.length > 0 ? parts.join(", ") : "no changes"}**`;
}

/** Template projects with `action`. */
function templates(changes: FleetChanges, action: TenantAction): number {
  return changes.templateProjects.filter((t) => t.action === action).length;
}

function diagnosticsSection(
  doc: BoundedDocument,
  diagnostics: readonly FleetDiagnostic[],
  inline: number,
  budget: number,
): void {
  if (diagnostics.length === 0) return;
  const errors = diagnostics.filter((d) => d.severity === "error");
  const sorted = [...errors, ...diagnostics.filter((d) => d.severity === "warning")];
  const lines = sorted.map((d) => `${d.severity}${d.subject ? ` **${d.subject}**` : ""}: ${code(d.message)}`);
  const title =
    errors.length > 0 ? `### Errors (${count(errors.length)})` : `### Warnings (${count(diagnostics.length)})`;
  doc.add(`${title}\n\n${foldedBullets(lines, inline, budget, (hidden) => `${count(hidden)} more`)}`);
}

/**
 * Mass removals the brake refused first, then refused replaces (their message says what to do), moves to other
 * stacks, restores, replaces and deletes, each by tenant id. A restore loses nothing (Neon keeps the writes after the restore point on a backup branch), but the tenant's
 * live data goes back in time, so a reviewer must see it here.
 */
function dangerousSection(
  doc: BoundedDocument,
  tenants: readonly TenantChange[],
  restores: readonly TenantChange[],
  stack: { refusals: readonly string[]; unnamedMoves: number },
  inline: number,
  budget: number,
): void {
  if (tenants.length + restores.length + stack.refusals.length + stack.unnamedMoves === 0) return;
  // The brake's own one-line message, its backticks kept: the commands it names can be copied from the comment.
  const refusalLines = stack.refusals.map(
    (message) => `**mass removal refused**: ${message.replace(/^mass removal refused: /, "")}`,
  );
  const restoreLines = sortById(restores).map((t) => {
    const failed = t.failed ? " (failed, see errors)" : "";
    return `${t.id}: restore to ${t.restore!.to}, writes after it move to branch ${t.restore!.backupBranch}${failed}`;
  });
  const sorted = sortById(tenants).sort((a, b) => DANGEROUS.indexOf(a.action) - DANGEROUS.indexOf(b.action));
  const refusedCount = sorted.filter((t) => t.action === "refused" || t.action === "move").length;
  const destroyLines = sorted.map((t) => {
    const what =
      t.action === "refused"
        ? `replace refused, project left as it is: ${code(t.refusal ?? "")}`
        : t.action === "move"
          ? moveText(t)
          : t.action === "replace"
            ? `replace: ${t.replaceReasons.map(propertyText).join(", ") || "forced by the provider"}`
            : "delete: `onRemove: delete`, the Neon project and its data are deleted";
    const where = t.action === "move" ? "" : ` (${t.tier}, ${t.region})`;
    return `**${t.id}**${where} ${what}${t.failed ? " (failed, see errors)" : ""}`;
  });
  const unnamed = stack.unnamedMoves > 0 ? [`${count(stack.unnamedMoves)} more tenants move to other stacks`] : [];
  const refused = stack.refusals.length > 0 || tenants.some((t) => t.action === "refused" || t.action === "move");
  const title = refused ? "Destroys data or refused" : "Destroys data";
  const lines = [
    ...refusalLines,
    ...destroyLines.slice(0, refusedCount),
    ...unnamed,
    ...restoreLines,
    ...destroyLines.slice(refusedCount),
  ];
  const list = foldedBullets(lines, inline, budget, (hidden) => `${count(hidden)} more`);
  doc.add(`### ${title} (${count(lines.length)})\n\n${list}`);
}

/**
 * Organization transfers, one line per source and destination with its count: Neon moves each project in place
 * (same id, data and connection strings), so this is a section of its own, not among what destroys data.
 */
function orgMovesSection(doc: BoundedDocument, tenants: readonly TenantChange[], budget: number): void {
  const moving = sortById(tenants.filter((t) => t.orgMove !== undefined));
  if (moving.length === 0) return;
  const routes = [...groupBy(moving, (t) => `${t.orgMove!.from} -> ${t.orgMove!.to}`).entries()].sort(([a], [b]) =>
    a.localeCompare(b),
  );
  const perRoute = Math.max(200, budget / routes.length);
  const lines = routes.map(
    ([route, members]) =>
      `- ${code(route)}: ${plural(members.length, "tenant")}: ${nameList(
        members.map((t) => t.id),
        perRoute,
      )}`,
  );
  const intro = "Transferred in place: each project keeps its id, its data and its connection strings.";
  doc.add(`### Moves organization (${count(moving.length)})\n\n${intro}\n\n${lines.join("\n")}`);
}

/**
 * `acme (pro) moves to the stack managing aws-eu-central-1 (region aws-us-east-2 -> aws-eu-central-1): ...`. The
 * leaving stack's preview knows where the plans now place the tenant, not which stack holds that place.
 */
function moveText(t: TenantChange): string {
  const kept = "project kept (released here whatever `onRemove` says), that stack takes it over by name";
  const stack = t.movesToStack ? `stack ${t.movesToStack}` : `the stack managing ${t.movesTo}`;
  const sameRegion = t.movesToStack ? stack : `another stack managing ${t.region}`;
  if (t.movesTo === t.region) return `(${t.tier}) moves to ${sameRegion}: ${kept}`;
  return (
    `(${t.tier}) moves to ${stack} (region ${t.region} -> ${t.movesTo}): ${kept}; ` +
    "the region move itself is refused unless that stack sets `neon-fleet:allowReplace`"
  );
}

/**
 * Tenants renamed through `formerIds`: one line each, so a reviewer sees a rename where a delete and a create of the
 * same tenant would otherwise have been (the project keeps its id, data and connection strings).
 */
function renamesSection(doc: BoundedDocument, tenants: readonly TenantChange[], inline: number, budget: number): void {
  const renamed = sortById(tenants.filter((t) => t.renamedFrom !== undefined || t.adoptsProjectOf !== undefined));
  if (renamed.length === 0) return;
  const lines = renamed.map((t) => {
    const failed = t.failed ? " (failed, see errors)" : "";
    if (t.renamedFrom === undefined) {
      const old = t.adoptsProjectOf!;
      return `**${t.id}** adopts the project of removed tenant ${old}: refused at up; write \`formerIds: [${old}]\``;
    }
    return `renamed ${t.renamedFrom} -> ${t.id} (${t.tier}, ${t.region}): same project, renamed in place${failed}`;
  });
  doc.add(`### Renamed (${count(lines.length)})

${foldedBullets(lines, inline, budget, (hidden) => `${count(hidden)} more`)}`);
}

/**
 * Creates that take over live projects, each with every tier setting the adoption changes: a project made by hand
 * may have had unlimited storage or more compute than the tier gives, and the reviewer must see the cut.
 */
function adoptionsSection(
  doc: BoundedDocument,
  tenants: readonly TenantChange[],
  inline: number,
  budget: number,
): void {
  const adopting = sortById(tenants.filter((t) => t.adoption !== undefined));
  if (adopting.length === 0) return;
  const lines = adopting.map(
    (t) => `**${t.id}** (${t.tier}) adopts project ${t.adoption!.projectId}: ${t.adoption!.changes}`,
  );
  const list = foldedBullets(lines, inline, budget, (hidden) => `${count(hidden)} more`);
  doc.add(`### Adoptions (${count(lines.length)})\n\n${list}`);
}

function retainedSection(doc: BoundedDocument, tenants: readonly TenantChange[], inline: number, budget: number): void {
  if (tenants.length === 0) return;
  const intro = "Removed from plans with `onRemove: retain`: the Neon projects stay, Pulumi stops managing them.";
  doc.add(`### Retained (${count(tenants.length)})\n\n${intro}\n\n${tenantList(tenants, inline, budget, "retained")}`);
}

function createsSection(doc: BoundedDocument, tenants: readonly TenantChange[], inline: number, budget: number): void {
  if (tenants.length === 0) return;
  doc.add(`### To create (${count(tenants.length)})\n\n${tenantList(tenants, inline, budget, "to create")}`);
}

/** One line per tenant while short; past `inline`, one folded line per tier and region listing the ids. */
function tenantList(tenants: readonly TenantChange[], inline: number, budget: number, what: string): string {
  const sorted = sortById(tenants);
  if (sorted.length <= inline) return sorted.map((t) => `- ${t.id} (${t.tier}, ${t.region})`).join("\n");
  const groups = [...groupBy(sorted, placement).entries()].sort(([a], [b]) => a.localeCompare(b));
  const perGroup = Math.max(200, budget / groups.length);
  const lines = groups.map(
    ([where, members]) =>
      `${where} (${count(members.length)}): ${nameList(
        members.map((t) => t.id),
        perGroup,
      )}`,
  );
  return details(`${plural(sorted.length, "tenant")} ${what}`, lines.map((line) => `- ${line}`).join("\n"));
}

const COLUMNS: readonly [TenantAction, string][] = [
  ["create", "create"],
  ["update", "update"],
  ["replace", "replace"],
  ["refused", "refused"],
  ["move", "move"],
  ["retain", "retain"],
  ["delete", "delete"],
  ["same", "unchanged"],
];
const MAX_TABLE_ROWS = 60;

/** `Schema: 0004_add_invoices pending on 320 tenants (canary: acme, globex)`. */
function schemaSection(doc: BoundedDocument, changes: FleetChanges): void {
  const schema = changes.schema;
  if (!schema) return;
  const labels = schema.pending.length > 4 ? [schema.pending[0], "…", schema.pending.at(-1)!] : schema.pending;
  const branches = `${count(schema.devBranches)} dev branch${schema.devBranches === 1 ? "" : "es"}`;
  const where = [schema.tenants > 0 && plural(schema.tenants, "tenant"), schema.devBranches > 0 && branches]
    .filter((part): part is string => typeof part === "string")
    .join(" and ");
  const canary = schema.canary.length > 0 ? ` (canary: ${nameList(schema.canary, 200)})` : "";
  doc.add(`Schema: ${labels.join(", ")} pending on ${where}${canary}`);
}

function countsSection(doc: BoundedDocument, tenants: readonly TenantChange[]): void {
  if (tenants.length === 0) return;
  const columns = COLUMNS.filter(([action]) => tenants.some((t) => t.action === action));
  const rows = [...groupBy(tenants, (t) => `${t.tier}\u0000${t.region}`).entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, members]) => [
      ...key.split("\u0000"),
      ...columns.map(([action]) => members.filter((t) => t.action === action).length),
    ]);
  const shown = rows.slice(0, MAX_TABLE_ROWS);
  const more =
    rows.length > shown.length ? `\n\n… and ${plural(rows.length - shown.length, "more tier and region")}` : "";
  // `pulumi preview --json` hides unchanged resources, so a re-tier (PlanQuota only) may not show the region.
  const unplaced = tenants.some((t) => t.region === "?")
    ? "\n\nRegion `?`: the preview does not show these tenants' projects; `pulumi preview --json --show-sames` does."
    : "";
  const counts = table(["tier", "region", ...columns.map(([, title]) => title)], shown);
  doc.add(`### Tenants by tier and region\n\n${counts}${more}${unplaced}${placementLine(tenants)}`);
}

/**
 * Where the tenants live, once any is a branch of a template project: `Placement: 10 branch (of template
 * projects), 2 project` (`?` for tenants whose TenantProject the preview does not show).
 */
function placementLine(tenants: readonly TenantChange[]): string {
  if (!tenants.some((t) => t.placement === "branch")) return "";
  const counts = [...groupBy(tenants, (t) => t.placement).entries()].sort(([a], [b]) => a.localeCompare(b));
  const named = (placement: string): string => (placement === "branch" ? "branch (of template projects)" : placement);
  const text = counts.map(([placement, members]) => `${count(members.length)} ${named(placement)}`);
  return `\n\nPlacement: ${text.join(", ")}`;
}

/**
 * Groups property changes by property and values, so a tier edit that touches 300 tenants reads as one line
 * (`storage 10GiB -> 20GiB: 300 tenants (pro)`), biggest groups first.
 */
function changesSection(doc: BoundedDocument, tenants: readonly TenantChange[], inline: number, budget: number): void {
  const groups = new Map<string, { change: PropertyChange; tenants: TenantChange[] }>();
  for (const tenant of tenants) {
    for (const change of tenant.changes) {
      const key = propertyText(change);
      accumulate(groups, key, () => ({ change, tenants: [] })).tenants.push(tenant);
    }
  }
  if (groups.size === 0) return;
  const lines = [...groups.values()]
    .sort((a, b) => b.tenants.length - a.tenants.length || propertyText(a.change).localeCompare(propertyText(b.change)))
    .map(
      ({ change, tenants: members }) =>
        `${code(propertyText(change))}: ${plural(members.length, "tenant")} ${who(members)}`,
    );
  doc.add(
    `### Property changes\n\n${foldedBullets(lines, inline, budget, (hidden) => `${count(hidden)} more distinct changes`)}`,
  );
}

/** The tenants of a small group by id; of a large one, by tier. */
function who(members: readonly TenantChange[]): string {
  if (members.length <= 5)
    return `(${sortById(members)
      .map((t) => t.id)
      .join(", ")})`;
  const tiers = [...groupBy(members, (t) => t.tier).entries()].sort((a, b) => b[1].length - a[1].length);
  const named = tiers.slice(0, 3).map(([tier, list]) => (tiers.length === 1 ? tier : `${tier} ${count(list.length)}`));
  return `(${named.join(", ")}${tiers.length > 3 ? ", …" : ""})`;
}

const BRANCH_NOTES: Record<BranchChange["action"], string> = {
  create: "create",
  update: "update",
  reset: "reset to its parent's latest state (branch changes are lost)",
  replace: "replace (branch data destroyed)",
  delete: "delete (branch data destroyed)",
  same: "unchanged",
};

/** The dev project's own changes, then its branches': small, and apart from the tenants. */
function devSection(doc: BoundedDocument, changes: FleetChanges, inline: number, budget: number): void {
  const projects = changes.devProjects.filter((p) => p.action !== "same");
  const branches = changes.branches.filter((b) => b.action !== "same").sort((a, b) => a.name.localeCompare(b.name));
  if (projects.length + branches.length === 0) return;
  const projectLines = projects.map((p) => {
    const properties = [...p.replaceReasons, ...p.changes].map(propertyText);
    return `project **${p.id.slice("dev/".length)}** ${p.action}${properties.length > 0 ? `: ${properties.join(", ")}` : ""}`;
  });
  const branchLines = branches.map((b) => {
    const properties = [...b.replaceReasons, ...b.changes].map(propertyText);
    const detail = properties.length > 0 ? `: ${properties.join(", ")}` : ` (parent ${b.parent}, ttl ${b.ttl})`;
    return `**${b.name}** ${BRANCH_NOTES[b.action]}${detail}`;
  });
  const lines = [...projectLines, ...branchLines];
  const title = projects.length > 0 ? "Dev project and branches" : "Dev branches";
  doc.add(
    `### ${title} (${count(lines.length)})\n\n${foldedBullets(lines, inline, budget, (hidden) => `${count(hidden)} more`)}`,
  );
}

function othersSection(doc: BoundedDocument, changes: FleetChanges, inline: number, budget: number): void {
  if (changes.others.length === 0) return;
  const lines = changes.others.map((o) => `${o.op} ${o.name} (${o.type})`);
  doc.add(
    `### Other resources (${count(changes.others.length)})\n\n${foldedBullets(lines, inline, budget, (hidden) => `${count(hidden)} more`)}`,
  );
}

function footer(changes: FleetChanges): string {
  const resources = Object.entries(changes.resourceCounts)
    .filter(([, n]) => n > 0)
    .map(([op, n]) => `${count(n)} ${op}`)
    .join(", ");
  const seconds = changes.durationNanos ? ` in ${(changes.durationNanos / 1e9).toFixed(1)}s` : "";
  return `Pulumi resources${seconds}: ${resources || "none"}. Values are in plan units.`;
}

function propertyText(change: PropertyChange): string {
  return `${change.label} ${change.from} -> ${change.to}`;
}

function placement(t: TenantChange): string {
  return `${t.tier} · ${t.region}`;
}

function sortById(tenants: readonly TenantChange[]): TenantChange[] {
  return [...tenants].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
