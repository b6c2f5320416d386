import type { Project } from "@neondatabase/api-client";
import { MAX_PROJECTS_PER_TRANSFER } from "./limits";
import { requestIdOf, statusOf } from "./apiErrors";
import type { ProjectCache } from "./projectCache";
import { AmbiguousCallError, type Transport } from "./transport";

/**
 * Moving projects between organizations with Neon's `POST /organizations/{source_org_id}/projects/transfer`: in
 * place (same project id, data and connection strings), at most 400 ids a call, all or none per call. What Neon
 * refuses is told per project, so one full destination or one project with an integration does not hold back the
 * others: on a 406 over the destination's project limit, the projects that fit are sent again on their own.
 */

/** What became of each project of a transfer. */
export interface TransferOutcome {
  /** Project ids now in the destination organization. */
  moved: string[];
  /** Project id -> what Neon said when it refused that project (one line, with the request id). */
  refused: Map<string, string>;
}

/** Neon's 406 body: the limits the destination does not satisfy. */
interface LimitsUnsatisfied {
  limits?: { name: string; expected: string; actual: string }[];
}
/** Neon's 422 body: projects with a GitHub or Vercel integration, which cannot be transferred. */
interface ProjectsWithIntegration {
  projects?: { id: string; integration: string }[];
}

/** A refused call, told apart from a failure so the caller can split the batch. */
type Answer = { ok: true } | { ok: false; status: number; body: unknown; requestId?: string };

const REFUSALS = new Set([403, 406, 422]);

/** Moves `projectIds` from `source` to `destination`, in calls of at most 400 ids. */
export async function transferProjects(
  transport: Transport,
  cache: ProjectCache,
  fetchProject: (id: string) => Promise<Project | undefined>,
  move: { source: string; destination: string; projectIds: string[] },
): Promise<TransferOutcome> {
  const outcome: TransferOutcome = { moved: [], refused: new Map() };
  const ids = [...new Set(move.projectIds)];
  for (let start = 0; start < ids.length; start += MAX_PROJECTS_PER_TRANSFER) {
    const chunk = ids.slice(start, start + MAX_PROJECTS_PER_TRANSFER);
    await sendChunk(transport, fetchProject, move.source, move.destination, chunk, outcome);
  }
  for (const id of outcome.moved) {
    const known = cache.get(id);
    if (known && known !== "unknown") cache.put({ ...known, org_id: move.destination });
  }
  return outcome;
}

async function sendChunk(
  transport: Transport,
  fetchProject: (id: string) => Promise<Project | undefined>,
  source: string,
  destination: string,
  ids: string[],
  outcome: TransferOutcome,
): Promise<void> {
  if (ids.length === 0) return;
  let answer: Answer;
  try {
    answer = await post(transport, source, destination, ids);
  } catch (err) {
    if (!(err instanceof AmbiguousCallError)) throw err;
    // The call may have landed: a project already in the destination moved; the rest are sent once more.
    const landed = await Promise.all(ids.map(async (id) => (await fetchProject(id))?.org_id === destination));
    outcome.moved.push(...ids.filter((_, i) => landed[i]));
    const rest = ids.filter((_, i) => !landed[i]);
    if (rest.length === ids.length) throw err;
    return sendChunk(transport, fetchProject, source, destination, rest, outcome);
  }
  if (answer.ok) {
    outcome.moved.push(...ids);
    return;
  }
  const said = (text: string) =>
    `Neon answered ${answer.ok ? "" : answer.status} (${text})` +
    (answer.ok || answer.requestId === undefined ? "" : `, request ${answer.requestId}`);
  if (answer.status === 422) {
    const withIntegration = new Map(
      ((answer.body as ProjectsWithIntegration).projects ?? []).map((p) => [p.id, p.integration]),
    );
    for (const [id, integration] of withIntegration) {
      outcome.refused.set(
        id,
        `${said(`the project has a ${integration} integration, which Neon cannot transfer`)}; ` +
          "remove the integration, then run again",
      );
    }
    const rest = ids.filter((id) => !withIntegration.has(id));
    if (withIntegration.size === 0) for (const id of ids) outcome.refused.set(id, said("unprocessable"));
    else return sendChunk(transport, fetchProject, source, destination, rest, outcome);
    return;
  }
  if (answer.status === 403) {
    const message = (answer.body as { message?: string }).message ?? "forbidden";
    const problem =
      `${said(message)}; an organization API key cannot transfer projects: use a personal API key ` +
      "of a member of both organizations";
    for (const id of ids) outcome.refused.set(id, problem);
    return;
  }
  const limits = (answer.body as LimitsUnsatisfied).limits ?? [];
  const count = limits.find((l) => l.name === "projects_count");
  const others = limits.filter((l) => l.name !== "projects_count");
  const shown =
    limits.map((l) => `${l.name}: limit ${l.expected}, would be ${l.actual}`).join("; ") || "limits unsatisfied";
  const problem =
    `${said(shown)}; ${destination} cannot take ${count && others.length === 0 ? "more projects" : "these projects"}: ` +
    "raise its limit or plan, then run again";
  const fit = count && others.length === 0 ? Number(count.expected) - (Number(count.actual) - ids.length) : 0;
  const fitting = Number.isInteger(fit) && fit > 0 && fit < ids.length ? ids.slice(0, fit) : [];
  for (const id of ids.slice(fitting.length)) outcome.refused.set(id, problem);
  return sendChunk(transport, fetchProject, source, destination, fitting, outcome);
}

/** One transfer call; a 403, 406 or 422 comes back as an answer (with Neon's body), anything else as usual. */
async function post(transport: Transport, source: string, destination: string, ids: string[]): Promise<Answer> {
  return transport.call<Answer>({
    method: "POST",
    path: `/organizations/${source}/projects/transfer`,
    // Repeating a transfer that landed gets 404 (the projects left the source): resolved by reading them instead.
    idempotent: false,
    send: async (api) => {
      try {
        await api.transferProjectsFromOrgToOrg(source, { destination_org_id: destination, project_ids: ids });
        return { data: { ok: true } };
      } catch (err) {
        const status = statusOf(err);
        if (status === undefined || !REFUSALS.has(status)) throw err;
        const body = (err as { response?: { data?: unknown } }).response?.data ?? {};
        return { data: { ok: false, status, body, requestId: requestIdOf(err) } };
      }
    },
  });
}
