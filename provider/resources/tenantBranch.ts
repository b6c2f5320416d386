import type { Branch } from "@neondatabase/api-client";
import { FleetError, NeonApiError } from "../errors";
import type { CallContext, CreatedBranch } from "../neon";
import { neon } from "./neonAccess";
import type { EndpointSettings } from "./tierSettings";

/**
 * Branch placement of a tenant (`placement: branch` tiers): the tenant is a branch of a template project of its
 * tier and region, named by the tenant id, with its own read-write endpoint on the tier's compute and suspend
 * settings, created in one request. This module holds the Neon side of it; TenantProject decides when it applies.
 *
 * Which template project: the stack program passes the series' template projects in order (`templates`); a new
 * tenant takes the first whose branches (counted once per template per run, then kept in this process) are fewer
 * than `branchesPerProject`, and records it. From then on the recorded template is the tenant's for good: adding or
 * removing other tenants changes `templates` or the counts, never a recorded template.
 */

/** What the program tells a branch tenant about where it may go. */
export interface BranchPlacementInputs {
  tenantId: string;
  /** The series' template project ids, first = filled first. */
  templates: string[];
  branchesPerProject: number;
  endpointSettings: EndpointSettings;
}

/** Where a branch tenant lives, as recorded in its state. */
export interface PlacedBranch {
  templateProjectId: string;
  branchId: string;
  endpointId: string;
  host: string;
  connectionUri: string;
  pooledConnectionUri: string;
  /** True when a branch already named by the tenant id was taken over instead of created. */
  adopted: boolean;
}

/** A template project's branches as this process knows them: listed once per run, then counted here. */
interface TemplateBranches {
  defaultBranchId: string;
  /** Tenant branches (every branch but the default), by name. */
  byName: Map<string, Branch | "reserved">;
}

/** Template project id -> its branches, listed on first need in this process (a provider process lives one run). */
const templateBranches = new Map<string, Promise<TemplateBranches>>();

/** The template's branches, listed once per process; concurrent callers share the one listing. */
function branchesOf(templateProjectId: string, ctx: CallContext): Promise<TemplateBranches> {
  let listed = templateBranches.get(templateProjectId);
  if (!listed) {
    listed = neon()
      .listBranches(templateProjectId, ctx)
      .then((branches) => {
        const main = branches.find((b) => b.default) ?? branches[0];
        if (!main) throw new FleetError(`template project ${templateProjectId} has no branch to start tenants from`);
        const tenantBranches = branches.filter((b) => b.id !== main.id);
        return { defaultBranchId: main.id, byName: new Map(tenantBranches.map((b) => [b.name, b])) };
      });
    listed.catch(() => templateBranches.delete(templateProjectId));
    templateBranches.set(templateProjectId, listed);
  }
  return listed;
}

/**
 * The template a new tenant goes to: the first in series order with fewer than `capacity` tenant branches, given the
 * counts in the same order; undefined when every one is full. Pure, so the rule is testable on its own.
 */
export function firstWithRoom(counts: readonly number[], capacity: number): number | undefined {
  const index = counts.findIndex((count) => count < capacity);
  return index < 0 ? undefined : index;
}

/**
 * Places a new tenant: takes over the branch already named by the tenant id in one of its templates (left by a lost
 * state or an ambiguous create), else creates it in the first template with room (one request).
 */
export async function placeTenantBranch(inputs: BranchPlacementInputs, ctx: CallContext): Promise<PlacedBranch> {
  const { tenantId, templates, branchesPerProject } = inputs;
  const known = await Promise.all(templates.map((id) => branchesOf(id, ctx)));
  const holding = known.findIndex((t) => {
    const branch = t.byName.get(tenantId);
    return branch !== undefined && branch !== "reserved";
  });
  if (holding >= 0) return adoptBranch(templates[holding], known[holding].byName.get(tenantId) as Branch, ctx);
  const index = firstWithRoom(
    known.map((t) => t.byName.size),
    branchesPerProject,
  );
  if (index === undefined) {
    throw new FleetError(
      `tenant ${tenantId}: its ${templates.length} template project(s) hold ${branchesPerProject} branches each ` +
        "(branchesPerProject); run again after the removals, or raise branchesPerProject",
    );
  }
  const template = known[index];
  // Reserved before the first await, so concurrent creates in this process count it.
  template.byName.set(tenantId, "reserved");
  let created: CreatedBranch;
  try {
    created = await neon().createBranch(
      templates[index],
      { name: tenantId, parentId: template.defaultBranchId, endpoint: inputs.endpointSettings },
      ctx,
    );
  } catch (err) {
    template.byName.delete(tenantId);
    throw err;
  }
  template.byName.set(tenantId, created.branch);
  const pooledConnectionUri =
    created.pooledConnectionUri ??
    (await neon().connectionUri(templates[index], { branchId: created.branch.id, pooled: true }, ctx));
  return {
    templateProjectId: templates[index],
    branchId: created.branch.id,
    endpointId: created.endpointId,
    host: created.host,
    connectionUri: created.connectionUri,
    pooledConnectionUri,
    adopted: false,
  };
}

/** Takes over an existing tenant branch: its read-write endpoint and connection strings, read from Neon. */
async function adoptBranch(templateProjectId: string, branch: Branch, ctx: CallContext): Promise<PlacedBranch> {
  const client = neon();
  const endpoints = await client.listEndpoints(templateProjectId, ctx);
  const endpoint = endpoints.find((e) => e.branch_id === branch.id && e.type === "read_write");
  if (!endpoint) {
    throw new FleetError(
      `tenant ${ctx.tenantId}: branch ${branch.name} (${branch.id}) of template project ${templateProjectId} has no ` +
        "read-write endpoint: add one in the Neon console, or delete the branch, then run again",
    );
  }
  const connectionUri = await client.connectionUri(templateProjectId, { branchId: branch.id, pooled: false }, ctx);
  const pooledConnectionUri = await client.connectionUri(templateProjectId, { branchId: branch.id, pooled: true }, ctx);
  return {
    templateProjectId,
    branchId: branch.id,
    endpointId: endpoint.id,
    host: endpoint.host,
    connectionUri,
    pooledConnectionUri,
    adopted: true,
  };
}

/**
 * True when the tenant's branch still exists (read from its template's listing, shared by the run); false when the
 * branch or the whole template project is gone.
 */
export async function tenantBranchExists(
  templateProjectId: string,
  branchId: string,
  ctx: CallContext,
): Promise<boolean> {
  try {
    const known = await branchesOf(templateProjectId, ctx);
    return [...known.byName.values()].some((b) => b !== "reserved" && b.id === branchId);
  } catch (err) {
    if (err instanceof NeonApiError && err.context.status === 404) return false;
    throw err;
  }
}

/** Puts the tenant's endpoint on its tier's compute and suspend settings (a re-tier within branch tiers). */
export async function retierTenantBranch(
  placed: Pick<PlacedBranch, "templateProjectId" | "endpointId">,
  settings: EndpointSettings,
  ctx: CallContext,
): Promise<void> {
  await neon().updateEndpoint(placed.templateProjectId, placed.endpointId, settings, ctx);
}

/** Deletes the tenant's branch (its endpoint goes with it); a branch already gone counts as deleted. */
export async function deleteTenantBranch(
  placed: Pick<PlacedBranch, "templateProjectId" | "branchId">,
  ctx: CallContext,
): Promise<void> {
  await neon().deleteBranch(placed.templateProjectId, placed.branchId, ctx);
  const known = await templateBranches.get(placed.templateProjectId)?.catch(() => undefined);
  for (const [name, branch] of known?.byName ?? []) {
    if (branch !== "reserved" && branch.id === placed.branchId) known!.byName.delete(name);
  }
}
