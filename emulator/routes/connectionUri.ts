import { notFound } from "../apiError";
import { databasesOf, rolesOf } from "../branchContents";
import { connectionUri } from "../connection";
import type { Reply, RequestContext, Route } from "../router";
import { requireBranch, requireEndpoint, requireProject, type World } from "../world";
import { requiredParam } from "./query";

/**
 * `GET /projects/{project_id}/connection_uri`: direct or pooled (`pooled=true`) URI of any database of a branch,
 * as any of its roles.
 */
export function connectionUriRoutes(world: World): Route[] {
  return [
    { method: "GET", template: "/projects/{project_id}/connection_uri", handle: (ctx) => getConnectionUri(world, ctx) },
  ];
}

function getConnectionUri(world: World, { params, query }: RequestContext): Reply {
  const project = requireProject(world, params.project_id);
  const databaseName = requiredParam(query, "database_name");
  const roleName = requiredParam(query, "role_name");
  const branch = requireBranch(world, project, query.get("branch_id") ?? project.defaultBranchId);
  const endpointId = query.get("endpoint_id");
  const endpoint = endpointId
    ? requireEndpoint(world, project, endpointId)
    : world.store.endpointsOf(project, branch.id)[0];
  if (!endpoint) throw notFound(`read_write endpoint of branch ${branch.id}`);
  if (!databasesOf(project, branch).some((d) => d.name === databaseName)) throw notFound(`database ${databaseName}`);
  const role = rolesOf(project, branch).find((r) => r.name === roleName);
  if (!role) throw notFound(`role ${roleName}`);
  const credentials = { roleName, databaseName, password: role.password };
  return {
    status: 200,
    body: { uri: connectionUri(project, endpoint, credentials, query.get("pooled") === "true", world.backend) },
  };
}
