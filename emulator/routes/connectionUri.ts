import { notFound } from "../apiError";
import { connectionUri } from "../connection";
import type { Route } from "../router";
import { requireBranch, requireEndpoint, requireProject, type World } from "../world";
import { requiredParam } from "./query";

/** `GET /projects/{project_id}/connection_uri`: direct or pooled (`pooled=true`) URI of a branch's database. */
export function connectionUriRoutes(world: World): Route[] {
  return [
    {
      method: "GET",
      template: "/projects/{project_id}/connection_uri",
      handle: ({ params, query }) => {
        const project = requireProject(world, params.project_id);
        const databaseName = requiredParam(query, "database_name");
        const roleName = requiredParam(query, "role_name");
        const branch = requireBranch(world, project, query.get("branch_id") ?? project.defaultBranchId);
        const endpointId = query.get("endpoint_id");
        const endpoint = endpointId ? requireEndpoint(world, project, endpointId) : world.store.endpointsOf(project, branch.id)[0];
        if (!endpoint) throw notFound(`read_write endpoint of branch ${branch.id}`);
        if (databaseName !== project.databaseName) throw notFound(`database ${databaseName}`);
        if (roleName !== project.roleName) throw notFound(`role ${roleName}`);
        const uri = connectionUri(project, endpoint, project, query.get("pooled") === "true", world.backend);
        return { status: 200, body: { uri } };
      },
    },
  ];
}
