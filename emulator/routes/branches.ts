import { ApiError, badRequest } from "../apiError";
import { databasesOf, inheritedContents, ownerCredentials, rolesOf } from "../branchContents";
import { branchId, endpointId, uniqueId } from "../ids";
import type { BranchRecord, EndpointRecord, ProjectRecord } from "../model";
import { branchCreateBody, branchRestoreBody, branchUpdateBody, type EndpointOptions, parseBody } from "../requests";
import type { Reply, RequestContext, Route } from "../router";
import { checkComputeUnits, checkSuspendTimeout, parseExpiresAt } from "../rules";
import {
  branchView,
  connectionDetailsView,
  databaseView,
  endpointDefaults,
  endpointView,
  operationView,
  roleView,
} from "../views";
import { assertBranchRoom } from "../limits";
import { assertUnlocked, requireBranch, requireProject, startOperations, type World } from "../world";

/** The annotation Neon attaches to a branch answer: the value its create took (empty when none). */
const annotationOf = (branch: BranchRecord) => ({
  object: { type: "console/branch", id: branch.id },
  value: branch.annotations ?? {},
});

/** A new endpoint for `branch` from the request's options over the project's `default_endpoint_settings`. */
export function newEndpoint(
  world: World,
  project: ProjectRecord,
  branch: BranchRecord,
  options: EndpointOptions,
  now: number,
): EndpointRecord {
  if (options.type !== "read_write") throw badRequest("the emulator creates read_write endpoints only");
  const defaults = endpointDefaults(project);
  const minCu = options.autoscaling_limit_min_cu ?? defaults.minCu;
  const maxCu = options.autoscaling_limit_max_cu ?? Math.max(minCu, defaults.maxCu);
  checkComputeUnits(minCu, maxCu);
  const suspendTimeoutSeconds = options.suspend_timeout_seconds ?? defaults.suspendTimeoutSeconds;
  checkSuspendTimeout(suspendTimeoutSeconds);
  const id = uniqueId(endpointId, (candidate) => world.store.endpoints.has(candidate));
  return {
    id,
    projectId: project.id,
    branchId: branch.id,
    minCu,
    maxCu,
    suspendTimeoutSeconds,
    readyAt: now + world.opMs,
    createdAt: now,
    updatedAt: now,
  };
}

/** 409 when another branch of the project already has `name` (Neon's branch names are unique per project). */
function assertNameFree(world: World, project: ProjectRecord, name: string): void {
  if (world.store.branchesOf(project).some((b) => b.name === name)) {
    throw new ApiError(409, "BRANCH_ALREADY_EXISTS", `branch ${name} already exists in project ${project.id}`);
  }
}

/**
 * The instant `source_timestamp` names, checked against the project's history window as Neon does: not in the
 * future, not older than `history_retention_seconds`, not before the branch existed (nor, with `--postgres`,
 * before the oldest state the data plane still keeps).
 */
function restorePoint(
  timestamp: string,
  project: ProjectRecord,
  branch: BranchRecord,
  now: number,
  keptFrom = 0,
): number {
  const at = Date.parse(timestamp);
  if (Number.isNaN(at) || !/(Z|[+-]\d{2}:?\d{2})$/i.test(timestamp)) {
    throw badRequest(`source_timestamp ${timestamp} is not an RFC 3339 date-time with zone`);
  }
  const windowStart = Math.max(now - project.historyRetentionSeconds * 1000, branch.createdAt, keptFrom);
  if (at > now || at < windowStart) {
    throw badRequest(
      `source_timestamp ${timestamp} is outside the history retention window of project ${project.id}: ` +
        `history_retention_seconds is ${project.historyRetentionSeconds}, ` +
        `so restore to a time from ${new Date(windowStart).toISOString()} to now`,
    );
  }
  return at;
}

/**
 * The branch that keeps the state before a restore: a new id under `name` with the branch's roles and databases,
 * no compute; Neon moves children there.
 */
function preserveBranch(
  world: World,
  project: ProjectRecord,
  branch: BranchRecord,
  name: string,
  now: number,
): BranchRecord {
  const { store } = world;
  const id = uniqueId(branchId, (candidate) => store.branches.has(candidate));
  const preserved: BranchRecord = {
    id,
    projectId: project.id,
    parentId: branch.parentId,
    name,
    isDefault: false,
    readyAt: now + world.opMs,
    createdAt: now,
    updatedAt: now,
    ...inheritedContents(branch),
  };
  store.addBranch(project, preserved);
  for (const child of store.branchesOf(project)) {
    if (child.parentId === branch.id && child.id !== id) {
      child.parentId = id;
      store.touch(child);
    }
  }
  return preserved;
}

/**
 * Branches: create (optionally with endpoints), list, count, get, patch (name, `expires_at`), delete, restore
 * (from another branch or to a time of its own history), set as default.
 */
export function branchRoutes(world: World): Route[] {
  const branches = "/projects/{project_id}/branches";
  const branch = `${branches}/{branch_id}`;
  return [
    { method: "POST", template: branches, handle: (ctx) => createBranch(world, ctx) },
    { method: "GET", template: branches, handle: (ctx) => listBranches(world, ctx) },
    { method: "GET", template: `${branches}/count`, handle: (ctx) => countBranches(world, ctx) },
    { method: "GET", template: branch, handle: (ctx) => getBranch(world, ctx) },
    { method: "PATCH", template: branch, handle: (ctx) => updateBranch(world, ctx) },
    { method: "DELETE", template: branch, handle: (ctx) => deleteBranch(world, ctx) },
    { method: "POST", template: `${branch}/restore`, handle: (ctx) => restoreBranch(world, ctx) },
    { method: "POST", template: `${branch}/set_as_default`, handle: (ctx) => setDefaultBranch(world, ctx) },
  ];
}

async function createBranch(world: World, { params, body, now }: RequestContext): Promise<Reply> {
  const { store } = world;
  const project = requireProject(world, params.project_id);
  const req = parseBody(branchCreateBody, body);
  const parent = requireBranch(world, project, req.branch?.parent_id ?? project.defaultBranchId);
  const id = uniqueId(branchId, (candidate) => store.branches.has(candidate));
  const name = req.branch?.name ?? id;
  assertNameFree(world, project, name);
  const expiresAt =
    req.branch?.expires_at === undefined ? undefined : parseExpiresAt(req.branch.expires_at, now, false);
  if ((req.endpoints ?? []).length > 1) throw badRequest("a branch can have one read_write endpoint");
  const branch: BranchRecord = {
    id,
    projectId: project.id,
    parentId: parent.id,
    name,
    isDefault: false,
    ...(expiresAt !== undefined && { expiresAt }),
    ...(req.annotation_value !== undefined && { annotations: req.annotation_value }),
    readyAt: now + world.opMs,
    createdAt: now,
    updatedAt: now,
    ...inheritedContents(parent),
  };
  const endpoints = (req.endpoints ?? []).map((options) => newEndpoint(world, project, branch, options, now));
  assertUnlocked(world, project, now);
  assertBranchRoom(world, project);
  store.addBranch(project, branch);
  for (const endpoint of endpoints) store.addEndpoint(project, endpoint);
  const ops = startOperations(
    world,
    project,
    [
      { action: "create_branch", branchId: id },
      ...endpoints.map((e) => ({ action: "start_compute", branchId: id, endpointId: e.id })),
    ],
    now,
  );
  await world.backend?.branchCreated({
    projectId: project.id,
    branchId: id,
    parentBranchId: parent.id,
    databaseName: project.databaseName,
    roleName: project.roleName,
    password: project.password,
    historyRetentionSeconds: project.historyRetentionSeconds,
  });
  return {
    status: 201,
    body: {
      branch: branchView(branch, now),
      endpoints: endpoints.map((e) => endpointView(e, project, now, world.backend)),
      operations: ops.map((op) => operationView(op, now)),
      roles: rolesOf(project, branch).map((r) => roleView(r, id, true)),
      databases: databasesOf(project, branch).map((d) => databaseView(d, id)),
      ...(endpoints.length > 0 && {
        connection_uris: endpoints.map((e) =>
          connectionDetailsView(project, e, ownerCredentials(project, branch), world.backend),
        ),
      }),
    },
  };
}

function listBranches(world: World, { params, query, now }: RequestContext): Reply {
  const project = requireProject(world, params.project_id);
  const search = query.get("search");
  const branches = world.store
    .branchesOf(project)
    .filter((b) => !search || b.name.includes(search) || b.id.includes(search));
  // Neon's map holds the branches that carry an annotation, keyed by branch id.
  const annotations = Object.fromEntries(branches.filter((b) => b.annotations).map((b) => [b.id, annotationOf(b)]));
  return { status: 200, body: { branches: branches.map((b) => branchView(b, now)), annotations } };
}

function countBranches(world: World, { params, query }: RequestContext): Reply {
  const project = requireProject(world, params.project_id);
  const search = query.get("search");
  const count = world.store
    .branchesOf(project)
    .filter((b) => !search || b.name.includes(search) || b.id.includes(search)).length;
  return { status: 200, body: { count } };
}

function getBranch(world: World, { params, now }: RequestContext): Reply {
  const branch = requireBranch(world, requireProject(world, params.project_id), params.branch_id);
  return { status: 200, body: { branch: branchView(branch, now), annotation: annotationOf(branch) } };
}

/** Renames the branch and sets (`expires_at`: a time) or clears (`expires_at: null`) its expiration. */
function updateBranch(world: World, { params, body, now }: RequestContext): Reply {
  const project = requireProject(world, params.project_id);
  const branch = requireBranch(world, project, params.branch_id);
  const req = parseBody(branchUpdateBody, body).branch;
  if (req.name !== undefined && req.name !== branch.name) assertNameFree(world, project, req.name);
  const expiresAt = req.expires_at ? parseExpiresAt(req.expires_at, now, branch.isDefault) : undefined;
  assertUnlocked(world, project, now);
  if (req.name !== undefined) branch.name = req.name;
  if (req.expires_at === null) delete branch.expiresAt;
  else if (expiresAt !== undefined) branch.expiresAt = expiresAt;
  branch.updatedAt = now;
  world.store.touch(branch);
  return { status: 200, body: { branch: branchView(branch, now), operations: [] } };
}

async function deleteBranch(world: World, { params, now }: RequestContext): Promise<Reply> {
  const { store } = world;
  const project = requireProject(world, params.project_id);
  const branch = requireBranch(world, project, params.branch_id);
  if (branch.isDefault) throw badRequest(`branch ${branch.id} is the project's default branch and cannot be deleted`);
  assertUnlocked(world, project, now);
  const ops = startOperations(
    world,
    project,
    [
      ...store
        .endpointsOf(project, branch.id)
        .map((e) => ({ action: "suspend_compute", branchId: branch.id, endpointId: e.id })),
      { action: "delete_timeline", branchId: branch.id },
    ],
    now,
  );
  store.deleteBranch(project, branch);
  await world.backend?.branchDeleted(project.id, branch.id);
  return {
    status: 200,
    body: { branch: branchView(branch, now), operations: ops.map((op) => operationView(op, now)) },
  };
}

/**
 * Restores the branch to the current state of another branch (reset to parent when the source is its
 * parent): its data, roles and databases become the source's; its own history is not kept.
 */
async function restoreBranch(world: World, { params, body, now }: RequestContext): Promise<Reply> {
  const { store } = world;
  const project = requireProject(world, params.project_id);
  const branch = requireBranch(world, project, params.branch_id);
  const req = parseBody(branchRestoreBody, body);
  const source = requireBranch(world, project, req.source_branch_id);
  const preserveAs = req.preserve_under_name;
  if (req.source_lsn !== undefined) {
    throw badRequest("source_lsn is not supported by the emulator; use source_timestamp");
  }
  if (source.id === branch.id) {
    if (req.source_timestamp === undefined) {
      throw badRequest("restoring a branch from its own history needs source_timestamp or source_lsn");
    }
    if (!preserveAs) {
      throw badRequest("preserve_under_name is required when a branch is restored from its own history");
    }
  } else if (req.source_timestamp !== undefined) {
    throw badRequest(
      "the emulator restores to a point in time only from the branch's own history (source_branch_id = it)",
    );
  }
  const keptFrom = world.backend?.historyStart(project.id, branch.id);
  const at =
    req.source_timestamp === undefined ? undefined : restorePoint(req.source_timestamp, project, branch, now, keptFrom);
  if (preserveAs !== undefined) assertNameFree(world, project, preserveAs);
  assertUnlocked(world, project, now);
  const preserved = preserveAs === undefined ? undefined : preserveBranch(world, project, branch, preserveAs, now);
  const ops = startOperations(
    world,
    project,
    [
      { action: "create_timeline", branchId: branch.id },
      ...store
        .endpointsOf(project, branch.id)
        .map((e) => ({ action: "start_compute", branchId: branch.id, endpointId: e.id })),
    ],
    now,
  );
  // From another branch, the roles and databases come with the source's data. To a time, they stay as they are:
  // the emulator keeps the past of each database's data, not of the branch's list of roles and databases.
  if (at === undefined) {
    delete branch.roles;
    delete branch.databases;
    Object.assign(branch, inheritedContents(source));
  }
  branch.lastResetAt = now;
  branch.readyAt = now + world.opMs;
  branch.updatedAt = now;
  store.touch(branch);
  if (preserved) {
    await world.backend?.branchCreated({
      projectId: project.id,
      branchId: preserved.id,
      parentBranchId: branch.id,
      databaseName: project.databaseName,
      roleName: project.roleName,
      password: project.password,
      historyRetentionSeconds: project.historyRetentionSeconds,
    });
  }
  if (at !== undefined) await world.backend?.branchRestoredToTime(project.id, branch.id, at);
  else await world.backend?.branchRestored(project.id, branch.id, source.id);
  return {
    status: 200,
    body: { branch: branchView(branch, now), operations: ops.map((op) => operationView(op, now)) },
  };
}

/** Makes the branch the project's default (the one its create answer and unqualified clients use). */
function setDefaultBranch(world: World, { params, now }: RequestContext): Reply {
  const project = requireProject(world, params.project_id);
  const branch = requireBranch(world, project, params.branch_id);
  if (branch.expiresAt !== undefined)
    throw badRequest(`branch ${branch.id} has an expiration; clear expires_at before making it the default`);
  assertUnlocked(world, project, now);
  const previous = world.store.branches.get(project.defaultBranchId);
  if (previous) {
    previous.isDefault = false;
    previous.updatedAt = now;
  }
  branch.isDefault = true;
  branch.updatedAt = now;
  project.defaultBranchId = branch.id;
  world.store.projectChanged(project);
  return { status: 200, body: { branch: branchView(branch, now), operations: [] } };
}
