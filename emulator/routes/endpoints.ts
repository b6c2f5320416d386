import { ApiError, badRequest } from "../apiError";
import { endpointCreateBody, endpointUpdateBody, parseBody } from "../requests";
import type { Reply, RequestContext, Route } from "../router";
import { checkComputeUnits, checkSuspendTimeout } from "../rules";
import { endpointView, operationView } from "../views";
import { assertUnlocked, requireBranch, requireEndpoint, requireProject, startOperations, type World } from "../world";
import { newEndpoint } from "./branches";

/**
 * Endpoints (computes) per project and per branch: list, get, create, patch (autoscaling limits and suspend
 * timeout, applied by an `apply_config` operation), start, suspend, restart, delete.
 */
export function endpointRoutes(world: World): Route[] {
  const endpoints = "/projects/{project_id}/endpoints";
  const endpoint = `${endpoints}/{endpoint_id}`;
  return [
    { method: "GET", template: endpoints, handle: (ctx) => listEndpoints(world, ctx) },
    { method: "POST", template: endpoints, handle: (ctx) => createEndpoint(world, ctx) },
    {
      method: "GET",
      template: "/projects/{project_id}/branches/{branch_id}/endpoints",
      handle: (ctx) => listBranchEndpoints(world, ctx),
    },
    { method: "GET", template: endpoint, handle: (ctx) => getEndpoint(world, ctx) },
    { method: "PATCH", template: endpoint, handle: (ctx) => updateEndpoint(world, ctx) },
    { method: "DELETE", template: endpoint, handle: (ctx) => deleteEndpoint(world, ctx) },
    { method: "POST", template: `${endpoint}/start`, handle: (ctx) => startEndpoint(world, ctx) },
    { method: "POST", template: `${endpoint}/suspend`, handle: (ctx) => suspendEndpoint(world, ctx) },
    { method: "POST", template: `${endpoint}/restart`, handle: (ctx) => startEndpoint(world, ctx) },
  ];
}

function listEndpoints(world: World, { params, now }: RequestContext): Reply {
  const project = requireProject(world, params.project_id);
  return {
    status: 200,
    body: { endpoints: world.store.endpointsOf(project).map((e) => endpointView(e, project, now, world.backend)) },
  };
}

function listBranchEndpoints(world: World, { params, now }: RequestContext): Reply {
  const project = requireProject(world, params.project_id);
  const branch = requireBranch(world, project, params.branch_id);
  const endpoints = world.store.endpointsOf(project, branch.id);
  return { status: 200, body: { endpoints: endpoints.map((e) => endpointView(e, project, now, world.backend)) } };
}

function getEndpoint(world: World, { params, now }: RequestContext): Reply {
  const project = requireProject(world, params.project_id);
  return {
    status: 200,
    body: { endpoint: endpointView(requireEndpoint(world, project, params.endpoint_id), project, now, world.backend) },
  };
}

/** A read-write compute for a branch that has none (Neon allows one per branch). */
function createEndpoint(world: World, { params, body, now }: RequestContext): Reply {
  const project = requireProject(world, params.project_id);
  const req = parseBody(endpointCreateBody, body).endpoint;
  const branch = requireBranch(world, project, req.branch_id);
  if (req.region_id !== undefined && req.region_id !== project.regionId) {
    throw badRequest(
      `region_id ${req.region_id} differs from the project's region ${project.regionId}; ` +
        "only the project's region is permitted",
    );
  }
  if (req.type === "read_write" && world.store.endpointsOf(project, branch.id).length > 0) {
    throw new ApiError(
      409,
      "ENDPOINT_ALREADY_EXISTS",
      `branch ${branch.id} already has a read_write endpoint; a branch can have only one`,
    );
  }
  const endpoint = newEndpoint(world, project, branch, req, now);
  assertUnlocked(world, project, now);
  world.store.addEndpoint(project, endpoint);
  const ops = startOperations(
    world,
    project,
    [{ action: "start_compute", branchId: branch.id, endpointId: endpoint.id }],
    now,
  );
  return {
    status: 201,
    body: {
      endpoint: endpointView(endpoint, project, now, world.backend),
      operations: ops.map((op) => operationView(op, now)),
    },
  };
}

function updateEndpoint(world: World, { params, body, now }: RequestContext): Reply {
  const project = requireProject(world, params.project_id);
  const endpoint = requireEndpoint(world, project, params.endpoint_id);
  const req = parseBody(endpointUpdateBody, body).endpoint;
  const minCu = req.autoscaling_limit_min_cu ?? endpoint.minCu;
  const maxCu = req.autoscaling_limit_max_cu ?? endpoint.maxCu;
  checkComputeUnits(minCu, maxCu);
  const suspend = req.suspend_timeout_seconds ?? endpoint.suspendTimeoutSeconds;
  checkSuspendTimeout(suspend);
  assertUnlocked(world, project, now);
  Object.assign(endpoint, { minCu, maxCu, suspendTimeoutSeconds: suspend, updatedAt: now });
  world.store.touch();
  const ops = startOperations(
    world,
    project,
    [{ action: "apply_config", branchId: endpoint.branchId, endpointId: endpoint.id }],
    now,
  );
  return {
    status: 200,
    body: {
      endpoint: endpointView(endpoint, project, now, world.backend),
      operations: ops.map((op) => operationView(op, now)),
    },
  };
}

/** Deletes the compute; the branch and its data stay (connection strings need a new endpoint). */
function deleteEndpoint(world: World, { params, now }: RequestContext): Reply {
  const project = requireProject(world, params.project_id);
  const endpoint = requireEndpoint(world, project, params.endpoint_id);
  assertUnlocked(world, project, now);
  const ops = startOperations(
    world,
    project,
    [{ action: "suspend_compute", branchId: endpoint.branchId, endpointId: endpoint.id }],
    now,
  );
  world.store.deleteEndpoint(project, endpoint);
  return {
    status: 200,
    body: {
      endpoint: endpointView(endpoint, project, now, world.backend),
      operations: ops.map((op) => operationView(op, now)),
    },
  };
}

/** Starts (or restarts) the compute: `init` until its `start_compute` operation finishes, then `active`. */
function startEndpoint(world: World, { params, now }: RequestContext): Reply {
  const project = requireProject(world, params.project_id);
  const endpoint = requireEndpoint(world, project, params.endpoint_id);
  assertUnlocked(world, project, now);
  const ops = startOperations(
    world,
    project,
    [{ action: "start_compute", branchId: endpoint.branchId, endpointId: endpoint.id }],
    now,
  );
  Object.assign(endpoint, { suspended: false, readyAt: now + world.opMs, updatedAt: now });
  world.store.touch();
  return {
    status: 200,
    body: {
      endpoint: endpointView(endpoint, project, now, world.backend),
      operations: ops.map((op) => operationView(op, now)),
    },
  };
}

/** Suspends the compute: `idle` until started again (on Neon a connection wakes it; the emulator keeps serving). */
function suspendEndpoint(world: World, { params, now }: RequestContext): Reply {
  const project = requireProject(world, params.project_id);
  const endpoint = requireEndpoint(world, project, params.endpoint_id);
  assertUnlocked(world, project, now);
  const ops = startOperations(
    world,
    project,
    [{ action: "suspend_compute", branchId: endpoint.branchId, endpointId: endpoint.id }],
    now,
  );
  Object.assign(endpoint, { suspended: true, updatedAt: now });
  world.store.touch();
  return {
    status: 200,
    body: {
      endpoint: endpointView(endpoint, project, now, world.backend),
      operations: ops.map((op) => operationView(op, now)),
    },
  };
}
