import { ApiError, badRequest, notFound } from "../apiError";
import { belongsToOrg, DEFAULT_ORG_ID, knownOrgIds, ORG_PLAN, projectsInOrg } from "../organizations";
import { parseBody, transferProjectsBody } from "../requests";
import type { Reply, RequestContext, Route } from "../router";
import type { World } from "../world";

/** When the emulated organizations say they were created: a fixed instant, so answers are reproducible. */
const ORG_CREATED_AT = "2026-01-01T00:00:00.000Z";

/** The key's organizations: `GET /users/me/organizations` and `GET /organizations/{org_id}`. */
export function organizationRoutes(world: World): Route[] {
  return [
    { method: "GET", template: "/users/me/organizations", handle: () => listOrganizations(world) },
    { method: "GET", template: "/organizations/{org_id}", handle: (ctx) => getOrganization(world, ctx) },
    {
      method: "POST",
      template: "/organizations/{source_org_id}/projects/transfer",
      handle: (ctx) => transferProjects(world, ctx),
    },
  ];
}

function organizationView(id: string) {
  return {
    id,
    name: id === DEFAULT_ORG_ID ? "Emulator" : id,
    handle: id,
    plan: ORG_PLAN,
    managed_by: "console",
    created_at: ORG_CREATED_AT,
    updated_at: ORG_CREATED_AT,
    require_mfa: false,
  };
}

function listOrganizations(world: World): Reply {
  return { status: 200, body: { organizations: knownOrgIds(world.store).map(organizationView) } };
}

function getOrganization(world: World, { params }: RequestContext): Reply {
  if (!knownOrgIds(world.store).includes(params.org_id)) throw notFound(`organization ${params.org_id}`);
  return { status: 200, body: organizationView(params.org_id) };
}

/**
 * Moves projects to another organization in place (same ids, branches, data and connection strings), all or none,
 * as Neon does: 403 for an organization-scoped key (a personal key is needed), 404 for a project the source org
 * does not hold, 406 (`LimitsUnsatisfiedResponse`) when the destination would hold more projects than its limit.
 */
function transferProjects(world: World, { params, body, now }: RequestContext): Reply {
  if (world.orgKey !== undefined) {
    throw new ApiError(
      403,
      "FORBIDDEN",
      `the API key is scoped to organization ${world.orgKey} and cannot transfer projects; use a personal API key`,
    );
  }
  const source = params.source_org_id;
  const req = parseBody(transferProjectsBody, body);
  const destination = req.destination_org_id;
  if (destination === source) throw badRequest(`destination_org_id ${destination} is the source organization`);
  const ids = [...new Set(req.project_ids)];
  const projects = ids.map((id) => {
    const project = world.store.projects.get(id);
    if (!project || !belongsToOrg(project, source)) throw notFound(`project ${id} in organization ${source}`);
    return project;
  });
  const limit = world.orgProjectLimits.get(destination);
  const after = projectsInOrg(world.store, destination) + projects.length;
  if (limit !== undefined && after > limit) {
    return {
      status: 406,
      body: { limits: [{ name: "projects_count", expected: String(limit), actual: String(after) }] },
    };
  }
  for (const project of projects) {
    project.orgId = destination;
    project.updatedAt = now;
    world.store.projectChanged(project);
  }
  return { status: 200, body: {} };
}
