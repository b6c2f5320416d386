import type { ProjectListItem } from "@neondatabase/api-client";
import { TransferRefusedError } from "../errors";
import type { TransferOutcome } from "../neon";
import type { ResolvedTenant } from "../plans";
import { neon } from "./neonAccess";
import { managedTenants } from "./plannedFleet";

/**
 * Organization moves of one run, in as few transfer calls as Neon allows (up to 400 project ids a call).
 *
 * The engine cannot be relied on to show the provider many moves at once: it runs Check and Diff one resource at a
 * time and hands each update to one of its `--parallel` workers, and while every worker is busy it diffs nothing
 * more. Only a few updates ever wait together, so coalescing what the diffs saw would still cost about one call per
 * `--parallel` tenants. Instead the first update that needs a move from organization A to organization B works out
 * the whole move itself: it lists A's projects (`GET /projects?org_id=A`, paged) and sends, in calls of up to 400,
 * every listed project that belongs in B, in the order of the plans:
 * - the project of a tenant this stack manages (by `neon-fleet:shard` and `neon-fleet:bucket`, as the program
 *   decides) whose plan puts it in B, found by its deterministic name or its `adopt` id, and only when its region
 *   and Postgres version are the plan's (a move the plan pairs with a replacement is left to that tenant's update);
 * - any project whose move a diff or update of this run recorded (offline) for A to B.
 * Every other update of the pair waits for that batch and finds its project moved, or refused: a refused project's
 * update fails with Neon's answer (one line naming the tenant and both organizations), the others carry on. A
 * project that was not in A when it was listed is read: already in B (moved by an earlier run or batch) is done,
 * otherwise it is sent on its own. One listed in A but not sent (its move arrived after the listing) starts a new
 * batch for the pair, which takes every move still waiting.
 *
 * Nothing is sent during a preview (diff only records moves). Tenants of other stacks are never sent, even when
 * the same plan edit moves them: their own stack's `up` does. A tenant of this stack sent with the batch whose own
 * update does not run (the engine stopped at another tenant's failure, or `--target` left it out) is in the
 * organization its plan names: its next update, or a refresh, finds it there.
 */

interface Move {
  projectId: string;
  tenantId: string;
  source: string;
  destination: string;
}

/** One batch of a (source, destination) pair: which projects it found in the source, and what Neon did. */
interface Batch {
  /** Project ids listed in the source when the batch started. */
  listed: ReadonlySet<string>;
  outcome: TransferOutcome;
}

/** Moves recorded by diffs and updates (offline), by project id. */
const planned = new Map<string, Move>();
/** The latest batch of each (source, destination) pair, by `source\ndestination`. */
const batches = new Map<string, Promise<Batch>>();

/**
 * The move a TenantProject's plan asks for: its org names one other than the org Neon reported for the project
 * (a plan without an org leaves the project where it is). Recorded as a side effect, offline, for the batch.
 */
export function organizationMove(
  projectId: string,
  olds: { org?: string },
  news: { org?: string; tenantId: string },
): Move | undefined {
  if (news.org === undefined || olds.org === undefined || olds.org === news.org || projectId === "") return undefined;
  const move = { projectId, tenantId: news.tenantId, source: olds.org, destination: news.org };
  planned.set(projectId, move);
  return move;
}

/**
 * Moves the tenant's project to `destination`, with every other project of the pair's batch (see above).
 * @throws TransferRefusedError naming the tenant, both organizations and what Neon said, when Neon refused it
 */
export async function transferProject(move: Move): Promise<void> {
  planned.set(move.projectId, move);
  const key = `${move.source}\n${move.destination}`;
  // A second batch takes every move recorded since the first was listed: a third is never needed.
  for (let attempt = 1; ; attempt++) {
    let batch = batches.get(key);
    if (!batch) {
      const started = sendBatch(move.source, move.destination);
      batches.set(key, started);
      // A failed batch (Neon unreachable) fails the updates waiting for it; a later update starts a new one.
      started.catch(() => batches.get(key) === started && batches.delete(key));
      batch = started;
    }
    const { listed, outcome } = await batch;
    if (outcome.moved.includes(move.projectId)) return;
    const refused = outcome.refused.get(move.projectId);
    if (refused !== undefined) throw refusal(move, refused);
    if (!listed.has(move.projectId) || attempt >= 2) return transferAlone(move);
    if (batches.get(key) === batch) batches.delete(key);
  }
}

/** Lists the source's projects and transfers every one that belongs in the destination. */
async function sendBatch(source: string, destination: string): Promise<Batch> {
  const wanted = await plannedInto(destination);
  const listed = new Set<string>();
  const sending: { id: string; rank: number }[] = [];
  // Not cached: an org's listing is not the account's, and the cache would take it for complete.
  for await (const project of neon().listProjects({ orgId: source, cache: false })) {
    listed.add(project.id);
    const rank = wanted(project);
    const recorded = planned.get(project.id);
    const asked = recorded?.source === source && recorded.destination === destination;
    if (rank !== undefined || asked) sending.push({ id: project.id, rank: rank ?? Number.MAX_SAFE_INTEGER });
  }
  // Plan order, so that when the destination has room for only some, the first tenants of the plans move.
  const projectIds = sending.sort((a, b) => a.rank - b.rank).map((p) => p.id);
  const outcome = projectIds.length
    ? await neon().transferProjects({ source, destination, projectIds })
    : { moved: [], refused: new Map<string, string>() };
  for (const id of projectIds) planned.delete(id);
  return { listed, outcome };
}

/**
 * Which listed projects the plans put in `destination`: the project's position in the plans, or undefined. Plans that
 * cannot be read match nothing (the program did not run then either; recorded moves still go).
 */
async function plannedInto(destination: string): Promise<(project: ProjectListItem) => number | undefined> {
  const tenants = await managedTenants().catch(() => []);
  const byId = new Map<string, { rank: number; tenant: ResolvedTenant }>();
  const byName = new Map<string, { rank: number; tenant: ResolvedTenant }>();
  tenants.forEach((tenant, rank) => {
    if (tenant.org !== destination || tenant.placement !== "project") return;
    if (tenant.adopt !== undefined) byId.set(tenant.adopt, { rank, tenant });
    else byName.set(tenant.projectName, { rank, tenant });
  });
  return (project) => {
    const found = byId.get(project.id) ?? byName.get(project.name);
    const samePlace = found?.tenant.region === project.region_id && found.tenant.pgVersion === project.pg_version;
    return samePlace ? found.rank : undefined;
  };
}

/** A move no batch took: done when the project is already in the destination, else sent by itself. */
async function transferAlone(move: Move): Promise<void> {
  const live = await neon().getProjectUncached(move.projectId, { tenantId: move.tenantId });
  if (live?.org_id === move.destination) return;
  const outcome = await neon().transferProjects({ ...move, projectIds: [move.projectId] });
  const refused = outcome.refused.get(move.projectId);
  if (refused !== undefined) throw refusal(move, refused);
}

function refusal(move: Move, problem: string): TransferRefusedError {
  return new TransferRefusedError(move.tenantId, move.projectId, move.source, move.destination, problem);
}
