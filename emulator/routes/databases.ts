import { ApiError, notFound } from "../apiError";
import { databasesOf, ownContents, rolesOf } from "../branchContents";
import type { BranchRecord, DatabaseRecord, ProjectRecord } from "../model";
import { databaseCreateBody, databaseUpdateBody, parseBody } from "../requests";
import type { Reply, RequestContext, Route } from "../router";
import { databaseView, operationView } from "../views";
import { requireBranch, requireProject, type World } from "../world";
import { startApplyConfig } from "./branchContentOps";

/** Databases of a branch: list, get, create, update (rename, change owner), delete. */
export function databaseRoutes(world: World): Route[] {
  const base = "/projects/{project_id}/branches/{branch_id}/databases";
  return [
    { method: "GET", template: base, handle: (ctx) => listDatabases(world, ctx) },
    { method: "POST", template: base, handle: (ctx) => createDatabase(world, ctx) },
    { method: "GET", template: `${base}/{database_name}`, handle: (ctx) => getDatabase(world, ctx) },
    { method: "PATCH", template: `${base}/{database_name}`, handle: (ctx) => updateDatabase(world, ctx) },
    { method: "DELETE", template: `${base}/{database_name}`, handle: (ctx) => deleteDatabase(world, ctx) },
  ];
}

/** The project and branch a request names. */
function target(world: World, params: Record<string, string>): { project: ProjectRecord; branch: BranchRecord } {
  const project = requireProject(world, params.project_id);
  return { project, branch: requireBranch(world, project, params.branch_id) };
}

function requireDatabase(project: ProjectRecord, branch: BranchRecord, name: string): DatabaseRecord {
  const database = databasesOf(project, branch).find((d) => d.name === name);
  if (!database) throw notFound(`database ${name} in branch ${branch.id}`);
  return database;
}

function requireOwner(project: ProjectRecord, branch: BranchRecord, name: string): void {
  if (!rolesOf(project, branch).some((r) => r.name === name)) throw notFound(`role ${name} in branch ${branch.id}`);
}

function assertDatabaseNameFree(project: ProjectRecord, branch: BranchRecord, name: string): void {
  if (databasesOf(project, branch).some((d) => d.name === name)) {
    throw new ApiError(409, "DATABASE_ALREADY_EXISTS", `database ${name} already exists in branch ${branch.id}`);
  }
}

function listDatabases(world: World, { params }: RequestContext): Reply {
  const { project, branch } = target(world, params);
  return { status: 200, body: { databases: databasesOf(project, branch).map((d) => databaseView(d, branch.id)) } };
}

function getDatabase(world: World, { params }: RequestContext): Reply {
  const { project, branch } = target(world, params);
  return {
    status: 200,
    body: { database: databaseView(requireDatabase(project, branch, params.database_name), branch.id) },
  };
}

async function createDatabase(world: World, { params, body, now }: RequestContext): Promise<Reply> {
  const { project, branch } = target(world, params);
  const req = parseBody(databaseCreateBody, body).database;
  requireOwner(project, branch, req.owner_name);
  assertDatabaseNameFree(project, branch, req.name);
  const ops = startApplyConfig(world, project, branch, now);
  const { databases } = ownContents(project, branch);
  const database: DatabaseRecord = {
    id: Math.max(0, ...databases.map((d) => d.id)) + 1,
    name: req.name,
    ownerName: req.owner_name,
    createdAt: now,
    updatedAt: now,
  };
  databases.push(database);
  world.store.touch(branch);
  await world.backend?.databasesChanged?.(project.id, branch.id, databasesOf(project, branch));
  return {
    status: 201,
    body: { database: databaseView(database, branch.id), operations: ops.map((op) => operationView(op, now)) },
  };
}

async function updateDatabase(world: World, { params, body, now }: RequestContext): Promise<Reply> {
  const { project, branch } = target(world, params);
  const req = parseBody(databaseUpdateBody, body).database;
  requireDatabase(project, branch, params.database_name);
  if (req.owner_name !== undefined) requireOwner(project, branch, req.owner_name);
  if (req.name !== undefined && req.name !== params.database_name) assertDatabaseNameFree(project, branch, req.name);
  const ops = startApplyConfig(world, project, branch, now);
  ownContents(project, branch);
  const database = requireDatabase(project, branch, params.database_name);
  if (req.name !== undefined) database.name = req.name;
  if (req.owner_name !== undefined) database.ownerName = req.owner_name;
  database.updatedAt = now;
  world.store.touch(branch);
  await world.backend?.databasesChanged?.(project.id, branch.id, databasesOf(project, branch));
  return {
    status: 200,
    body: { database: databaseView(database, branch.id), operations: ops.map((op) => operationView(op, now)) },
  };
}

async function deleteDatabase(world: World, { params, now }: RequestContext): Promise<Reply> {
  const { project, branch } = target(world, params);
  requireDatabase(project, branch, params.database_name);
  const ops = startApplyConfig(world, project, branch, now);
  const { databases } = ownContents(project, branch);
  const database = requireDatabase(project, branch, params.database_name);
  databases.splice(databases.indexOf(database), 1);
  world.store.touch(branch);
  await world.backend?.databasesChanged?.(project.id, branch.id, databasesOf(project, branch));
  return {
    status: 200,
    body: { database: databaseView(database, branch.id), operations: ops.map((op) => operationView(op, now)) },
  };
}
