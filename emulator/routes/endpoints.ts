import { endpointUpdateBody, parseBody } from "../requests";
import type { Route } from "../router";
import { checkComputeUnits, checkSuspendTimeout } from "../rules";
import { endpointView, operationView } from "../views";
import { assertUnlocked, requireEndpoint, requireProject, startOperations, type World } from "../world";

/** Endpoints: list, get, patch (autoscaling limits and suspend timeout, applied by an `apply_config` operation). */
export function endpointRoutes(world: World): Route[] {
  const { store } = world;
  return [
    {
      method: "GET",
      template: "/projects/{project_id}/endpoints",
      handle: ({ params, now }) => {
        const project = requireProject(world, params.project_id);
        return { status: 200, body: { endpoints: store.endpointsOf(project).map((e) => endpointView(e, project, now, world.backend)) } };
      },
    },
    {
      method: "GET",
      template: "/projects/{project_id}/endpoints/{endpoint_id}",
      handle: ({ params, now }) => {
        const project = requireProject(world, params.project_id);
        return { status: 200, body: { endpoint: endpointView(requireEndpoint(world, project, params.endpoint_id), project, now, world.backend) } };
      },
    },
    {
      method: "PATCH",
      template: "/projects/{project_id}/endpoints/{endpoint_id}",
      handle: ({ params, body, now }) => {
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
        const ops = startOperations(world, project, [{ action: "apply_config", branchId: endpoint.branchId, endpointId: endpoint.id }], now);
        return { status: 200, body: { endpoint: endpointView(endpoint, project, now, world.backend), operations: ops.map((op) => operationView(op, now)) } };
      },
    },
  ];
}
