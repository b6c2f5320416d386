import { notFound } from "../apiError";
import type { Reply, RequestContext, Route } from "../router";
import { operationView } from "../views";
import { requireProject, type World } from "../world";
import { intParam } from "./query";

/** Project operations: list (newest first, cursor pages) and get. */
export function operationRoutes(world: World): Route[] {
  return [
    { method: "GET", template: "/projects/{project_id}/operations", handle: (ctx) => listOperations(world, ctx) },
    {
      method: "GET",
      template: "/projects/{project_id}/operations/{operation_id}",
      handle: (ctx) => getOperation(world, ctx),
    },
  ];
}

function listOperations(world: World, { params, query, now }: RequestContext): Reply {
  const project = requireProject(world, params.project_id);
  const limit = intParam(query, "limit", 1, 1000, 10);
  const newestFirst = [...project.operationIds].reverse();
  const cursor = query.get("cursor");
  const start = cursor ? newestFirst.indexOf(cursor) + 1 : 0;
  const ids = start === 0 && cursor ? [] : newestFirst.slice(start, start + limit);
  const operations = ids.flatMap((id) => {
    const op = world.store.operations.get(id);
    return op ? [operationView(op, now)] : [];
  });
  return { status: 200, body: { operations, ...(ids.length > 0 && { pagination: { cursor: ids[ids.length - 1] } }) } };
}

function getOperation(world: World, { params, now }: RequestContext): Reply {
  const project = requireProject(world, params.project_id);
  const op = world.store.operations.get(params.operation_id);
  if (!op || op.projectId !== project.id) throw notFound(`operation ${params.operation_id}`);
  return { status: 200, body: { operation: operationView(op, now) } };
}
