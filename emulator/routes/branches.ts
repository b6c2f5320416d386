import { ApiError, badRequest } from "../apiError";
import { branchId, endpointId, uniqueId } from "../ids";
import type { BranchRecord, EndpointRecord, ProjectRecord } from "../model";
import { branchCreateBody, branchRestoreBody, branchUpdateBody, type EndpointOptions, parseBody } from "../requests";
import type { Route } from "../router";
import { checkComputeUnits, checkSuspendTimeout, parseExpiresAt } from "../rules";
import { branchView, connectionDetailsView, databaseView, endpointDefaults, endpointView, operationView, roleView } from "../views";
import { assertUnlocked, requireBranch, requireProject, startOperations, type World } from "../world";

/** The annotation Neon attaches to a branch answer; the emulator keeps none, so it is always empty. */
const annotationOf = (branch: BranchRecord) => ({ object: { type: "console/branch", id: branch.id }, value: {} });

/** A new endpoint for `branch` from the request's options over the project's `default_endpoint_settings`. */
function newEndpoint(world: World, project: ProjectRecord, branch: BranchRecord, options: EndpointOptions, now: number): EndpointRecord {
  if (options.type !== "read_write") throw badRequest("the emulator creates read_write endpoints only");
  const defaults = endpointDefaults(project);
  const minCu = options.autoscaling_limit_min_cu ?? defaults.minCu;
  const maxCu = options.autoscaling_limit_max_cu ?? Math.max(minCu, defaults.maxCu);
  checkComputeUnits(minCu, maxCu);
  const suspendTimeoutSeconds = options.suspend_timeout_seconds ?? defaults.suspendTimeoutSeconds;
  checkSuspendTimeout(suspendTimeoutSeconds);
  const id = uniqueId(endpointId, (candidate) => world.store.endpoints.has(candidate));
  return { id, projectId: project.id, branchId: branch.id, minCu, maxCu, suspendTimeoutSeconds, readyAt: now + world.opMs, createdAt: now, updatedAt: now };
}

/** Branches: create (optionally with endpoints), list, get, patch (name, `expires_at`), delete, restore. */
export function branchRoutes(world: World): Route[] {
  const { store } = world;
  return [
    {
      method: "POST",
      template: "/projects/{project_id}/branches",
      handle: async ({ params, body, now }) => {
        const project = requireProject(world, params.project_id);
        const req = parseBody(branchCreateBody, body);
        const parent = requireBranch(world, project, req.branch?.parent_id ?? project.defaultBranchId);
        const id = uniqueId(branchId, (candidate) => store.branches.has(candidate));
        const name = req.branch?.name ?? id;
        if (store.branchesOf(project).some((b) => b.name === name)) throw new ApiError(409, "BRANCH_ALREADY_EXISTS", `branch ${name} already exists in project ${project.id}`);
        const expiresAt = req.branch?.expires_at === undefined ? undefined : parseExpiresAt(req.branch.expires_at, now, false);
        if ((req.endpoints ?? []).length > 1) throw badRequest("a branch can have one read_write endpoint");
        const branch: BranchRecord = {
          id, projectId: project.id, parentId: parent.id, name, isDefault: false, ...(expiresAt !== undefined && { expiresAt }),
          readyAt: now + world.opMs, createdAt: now, updatedAt: now,
        };
        const endpoints = (req.endpoints ?? []).map((options) => newEndpoint(world, project, branch, options, now));
        assertUnlocked(world, project, now);
        store.addBranch(project, branch);
        for (const endpoint of endpoints) store.addEndpoint(project, endpoint);
        const ops = startOperations(world, project, [
          { action: "create_branch", branchId: id },
          ...endpoints.map((e) => ({ action: "start_compute", branchId: id, endpointId: e.id })),
        ], now);
        await world.backend?.branchCreated({
          projectId: project.id, branchId: id, parentBranchId: parent.id, databaseName: project.databaseName, roleName: project.roleName, password: project.password,
        });
        return {
          status: 201,
          body: {
            branch: branchView(branch, now),
            endpoints: endpoints.map((e) => endpointView(e, project, now, world.backend)),
            operations: ops.map((op) => operationView(op, now)),
            roles: [roleView(project, id)],
            databases: [databaseView(project, id)],
            ...(endpoints.length > 0 && { connection_uris: endpoints.map((e) => connectionDetailsView(project, e, world.backend)) }),
          },
        };
      },
    },
    {
      method: "GET",
      template: "/projects/{project_id}/branches",
      handle: ({ params, query, now }) => {
        const project = requireProject(world, params.project_id);
        const search = query.get("search");
        const branches = store.branchesOf(project).filter((b) => !search || b.name.includes(search) || b.id.includes(search));
        return { status: 200, body: { branches: branches.map((b) => branchView(b, now)), annotations: {} } };
      },
    },
    {
      method: "GET",
      template: "/projects/{project_id}/branches/{branch_id}",
      handle: ({ params, now }) => {
        const branch = requireBranch(world, requireProject(world, params.project_id), params.branch_id);
        return { status: 200, body: { branch: branchView(branch, now), annotation: annotationOf(branch) } };
      },
    },
    {
      method: "PATCH",
      template: "/projects/{project_id}/branches/{branch_id}",
      handle: ({ params, body, now }) => {
        const project = requireProject(world, params.project_id);
        const branch = requireBranch(world, project, params.branch_id);
        const req = parseBody(branchUpdateBody, body).branch;
        if (req.name !== undefined && req.name !== branch.name && store.branchesOf(project).some((b) => b.name === req.name)) {
          throw new ApiError(409, "BRANCH_ALREADY_EXISTS", `branch ${req.name} already exists in project ${project.id}`);
        }
        const expiresAt = req.expires_at ? parseExpiresAt(req.expires_at, now, branch.isDefault) : undefined;
        assertUnlocked(world, project, now);
        if (req.name !== undefined) branch.name = req.name;
        if (req.expires_at === null) delete branch.expiresAt;
        else if (expiresAt !== undefined) branch.expiresAt = expiresAt;
        branch.updatedAt = now;
        store.touch(branch);
        return { status: 200, body: { branch: branchView(branch, now), operations: [] } };
      },
    },
    {
      method: "DELETE",
      template: "/projects/{project_id}/branches/{branch_id}",
      handle: async ({ params, now }) => {
        const project = requireProject(world, params.project_id);
        const branch = requireBranch(world, project, params.branch_id);
        if (branch.isDefault) throw badRequest(`branch ${branch.id} is the project's default branch and cannot be deleted`);
        assertUnlocked(world, project, now);
        const ops = startOperations(world, project, [
          ...store.endpointsOf(project, branch.id).map((e) => ({ action: "suspend_compute", branchId: branch.id, endpointId: e.id })),
          { action: "delete_timeline", branchId: branch.id },
        ], now);
        store.deleteBranch(project, branch);
        await world.backend?.branchDeleted(project.id, branch.id);
        return { status: 200, body: { branch: branchView(branch, now), operations: ops.map((op) => operationView(op, now)) } };
      },
    },
    {
      method: "POST",
      template: "/projects/{project_id}/branches/{branch_id}/restore",
      handle: async ({ params, body, now }) => {
        const project = requireProject(world, params.project_id);
        const branch = requireBranch(world, project, params.branch_id);
        const req = parseBody(branchRestoreBody, body);
        const source = requireBranch(world, project, req.source_branch_id);
        if (source.id === branch.id) throw badRequest("restoring a branch from its own history needs source_lsn or source_timestamp, which the emulator does not support");
        if (req.preserve_under_name !== undefined) throw badRequest("preserve_under_name is not supported by the emulator");
        assertUnlocked(world, project, now);
        const ops = startOperations(world, project, [
          { action: "create_timeline", branchId: branch.id },
          ...store.endpointsOf(project, branch.id).map((e) => ({ action: "start_compute", branchId: branch.id, endpointId: e.id })),
        ], now);
        branch.lastResetAt = now;
        branch.readyAt = now + world.opMs;
        branch.updatedAt = now;
        store.touch(branch);
        await world.backend?.branchRestored(project.id, branch.id, source.id);
        return { status: 200, body: { branch: branchView(branch, now), operations: ops.map((op) => operationView(op, now)) } };
      },
    },
  ];
}
