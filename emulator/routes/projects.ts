import { ApiError } from "../apiError";
import { databasesOf, ownerCredentials, rolesOf } from "../branchContents";
import { branchId, endpointId, projectId, rolePassword, uniqueId } from "../ids";
import type { BranchRecord, DefaultEndpointSettings, EndpointRecord, ProjectRecord } from "../model";
import { belongsToOrg, DEFAULT_ORG_ID, projectsInOrg } from "../organizations";
import { parseBody, projectCreateBody, projectUpdateBody } from "../requests";
import { RawJson, type Reply, type RequestContext, type Route } from "../router";
import {
  checkComputeUnits,
  checkPgVersion,
  checkRegion,
  checkSuspendTimeout,
  DEFAULT_CU,
  DEFAULT_PG_VERSION,
  DEFAULT_REGION,
} from "../rules";
import {
  branchView,
  connectionDetailsView,
  consumptionPeriod,
  databaseView,
  endpointDefaults,
  endpointView,
  operationView,
  projectListItemView,
  projectView,
  roleView,
} from "../views";
import { assertUnlocked, requireProject, startOperations, type World } from "../world";
import { intParam } from "./query";

/** Neon's default history retention (1 day). */
const DEFAULT_HISTORY_RETENTION = 86_400;

/** Checks the compute values of `default_endpoint_settings` as Neon does. */
export function checkEndpointSettings(settings: DefaultEndpointSettings): void {
  const { autoscaling_limit_min_cu: min, autoscaling_limit_max_cu: max } = settings;
  if (min !== undefined || max !== undefined) checkComputeUnits(min ?? max ?? DEFAULT_CU, max ?? min ?? DEFAULT_CU);
  if (settings.suspend_timeout_seconds !== undefined) checkSuspendTimeout(settings.suspend_timeout_seconds);
}

/**
 * Projects: create (with its default branch `main`, a read-write endpoint, a role and a database), list,
 * list shared (always empty: the emulator has one account), get, patch, delete.
 */
export function projectRoutes(world: World): Route[] {
  return [
    { method: "POST", template: "/projects", handle: (ctx) => createProject(world, ctx) },
    { method: "GET", template: "/projects", handle: (ctx) => listProjects(world, ctx) },
    { method: "GET", template: "/projects/shared", handle: listSharedProjects },
    { method: "GET", template: "/projects/{project_id}", handle: (ctx) => getProject(world, ctx) },
    { method: "PATCH", template: "/projects/{project_id}", handle: (ctx) => updateProject(world, ctx) },
    { method: "DELETE", template: "/projects/{project_id}", handle: (ctx) => deleteProject(world, ctx) },
  ];
}

async function createProject(world: World, { body, now }: RequestContext): Promise<Reply> {
  const { store } = world;
  const req = parseBody(projectCreateBody, body).project;
  const regionId = req.region_id ?? DEFAULT_REGION;
  checkRegion(regionId);
  const pgVersion = req.pg_version ?? DEFAULT_PG_VERSION;
  checkPgVersion(pgVersion);
  const defaults = req.default_endpoint_settings ?? {};
  checkEndpointSettings(defaults);
  if (store.projectCount >= world.projectLimit) {
    throw new ApiError(
      422,
      "PROJECTS_LIMIT_EXCEEDED",
      `projects limit of ${world.projectLimit} exceeded, got ${store.projectCount}; ` +
        "delete projects or raise --project-limit",
    );
  }
  const orgId = req.org_id ?? DEFAULT_ORG_ID;
  const orgLimit = world.orgProjectLimits.get(orgId);
  if (orgLimit !== undefined && projectsInOrg(store, orgId) >= orgLimit) {
    throw new ApiError(
      422,
      "PROJECTS_LIMIT_EXCEEDED",
      `projects limit of ${orgLimit} of organization ${orgId} exceeded; delete projects or raise --org-limit`,
    );
  }
  const id = uniqueId(projectId, (candidate) => store.projects.has(candidate));
  const mainId = uniqueId(branchId, (candidate) => store.branches.has(candidate));
  const project: ProjectRecord = {
    id,
    seq: store.takeSeq(),
    name: req.name ?? id,
    regionId,
    pgVersion,
    ...(req.org_id && { orgId: req.org_id }),
    historyRetentionSeconds: req.history_retention_seconds ?? DEFAULT_HISTORY_RETENTION,
    settings: req.settings ?? {},
    defaultEndpointSettings: defaults,
    defaultBranchId: mainId,
    roleName: req.branch?.role_name ?? "neondb_owner",
    databaseName: req.branch?.database_name ?? "neondb",
    password: rolePassword(),
    branchIds: [],
    endpointIds: [],
    operationIds: [],
    consumption: {},
    createdAt: now,
    updatedAt: now,
  };
  const endpoint: EndpointRecord = {
    id: uniqueId(endpointId, (candidate) => store.endpoints.has(candidate)),
    projectId: id,
    branchId: mainId,
    ...endpointDefaults(project),
    readyAt: now + world.opMs,
    createdAt: now,
    updatedAt: now,
  };
  const branch: BranchRecord = {
    id: mainId,
    projectId: id,
    name: req.branch?.name ?? "main",
    isDefault: true,
    readyAt: now + world.opMs,
    createdAt: now,
    updatedAt: now,
  };
  store.addProject(project);
  store.addBranch(project, branch);
  store.addEndpoint(project, endpoint);
  const ops = startOperations(
    world,
    project,
    [
      { action: "create_timeline", branchId: mainId },
      { action: "start_compute", branchId: mainId, endpointId: endpoint.id },
    ],
    now,
  );
  await world.backend?.branchCreated({
    projectId: id,
    branchId: mainId,
    databaseName: project.databaseName,
    roleName: project.roleName,
    password: project.password,
    historyRetentionSeconds: project.historyRetentionSeconds,
  });
  return {
    status: 201,
    body: {
      project: projectView(project, now),
      connection_uris: [connectionDetailsView(project, endpoint, ownerCredentials(project, branch), world.backend)],
      roles: rolesOf(project, branch).map((r) => roleView(r, mainId, true)),
      databases: databasesOf(project, branch).map((d) => databaseView(d, mainId)),
      operations: ops.map((op) => operationView(op, now)),
      branch: branchView(branch, now),
      endpoints: [endpointView(endpoint, project, now, world.backend)],
    },
  };
}

/** Pages of projects in creation order; `search` matches name or id in part, `org_id` exactly. */
function listProjects(world: World, { query }: RequestContext): Reply {
  const limit = intParam(query, "limit", 1, 400, 10);
  const search = query.get("search")?.toLowerCase();
  const orgId = query.get("org_id");
  const keep =
    search || orgId
      ? (p: ProjectRecord) =>
          (!orgId || belongsToOrg(p, orgId)) &&
          (!search || p.name.toLowerCase().includes(search) || p.id.includes(search))
      : undefined;
  const page = world.store.pageProjects(query.get("cursor") ?? undefined, limit, keep);
  return {
    status: 200,
    body: {
      projects: page.items.map(projectListItemView),
      ...(page.cursor && { pagination: { cursor: page.cursor } }),
      applications: {},
      integrations: {},
    },
  };
}

/** Projects other accounts shared with this key: none, since the emulator has a single account. */
function listSharedProjects(): Reply {
  return { status: 200, body: { projects: [] } };
}

function getProject(world: World, { params, now }: RequestContext): Reply {
  const project = requireProject(world, params.project_id);
  const json = world.store.cachedProjectJson(project, consumptionPeriod(now).start, () => projectView(project, now));
  return { status: 200, body: new RawJson(`{"project":${json}}`) };
}

function updateProject(world: World, { params, body, now }: RequestContext): Reply {
  const project = requireProject(world, params.project_id);
  const req = parseBody(projectUpdateBody, body).project;
  if ("region_id" in req || "pg_version" in req) {
    throw new ApiError(
      400,
      "BAD_REQUEST",
      "region_id and pg_version cannot be changed; create a new project to move or upgrade",
    );
  }
  const defaults = req.default_endpoint_settings && {
    ...project.defaultEndpointSettings,
    ...req.default_endpoint_settings,
  };
  if (defaults) checkEndpointSettings(defaults);
  assertUnlocked(world, project, now);
  if (req.name !== undefined) project.name = req.name;
  if (req.settings) {
    const { quota, ...rest } = req.settings;
    project.settings = {
      ...project.settings,
      ...rest,
      ...(quota && { quota: { ...project.settings.quota, ...quota } }),
    };
  }
  // Only endpoints created from now on take the new defaults; existing ones keep theirs until patched.
  if (defaults) project.defaultEndpointSettings = defaults;
  if (req.history_retention_seconds !== undefined) {
    project.historyRetentionSeconds = req.history_retention_seconds;
    world.backend?.historyRetentionChanged(project.id, req.history_retention_seconds);
  }
  project.updatedAt = now;
  world.store.projectChanged(project);
  return { status: 200, body: { project: projectView(project, now), operations: [] } };
}

async function deleteProject(world: World, { params, now }: RequestContext): Promise<Reply> {
  const project = requireProject(world, params.project_id);
  const view = projectView(project, now);
  world.store.deleteProject(project);
  await world.backend?.projectDeleted(project.id);
  return { status: 200, body: { project: view } };
}
