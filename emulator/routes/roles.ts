import { ApiError, badRequest, notFound } from "../apiError";
import { databasesOf, ownContents, rolesOf } from "../branchContents";
import { rolePassword } from "../ids";
import type { BranchRecord, ProjectRecord, RoleRecord } from "../model";
import { parseBody, roleCreateBody } from "../requests";
import type { Reply, RequestContext, Route } from "../router";
import { operationView, roleView } from "../views";
import { requireBranch, requireProject, type World } from "../world";
import { startApplyConfig } from "./branchContentOps";

/** Roles of a branch: list, get, create, delete, reveal and reset the password. */
export function roleRoutes(world: World): Route[] {
  const base = "/projects/{project_id}/branches/{branch_id}/roles";
  return [
    { method: "GET", template: base, handle: (ctx) => listRoles(world, ctx) },
    { method: "POST", template: base, handle: (ctx) => createRole(world, ctx) },
    { method: "GET", template: `${base}/{role_name}`, handle: (ctx) => getRole(world, ctx) },
    { method: "DELETE", template: `${base}/{role_name}`, handle: (ctx) => deleteRole(world, ctx) },
    { method: "GET", template: `${base}/{role_name}/reveal_password`, handle: (ctx) => revealPassword(world, ctx) },
    { method: "POST", template: `${base}/{role_name}/reset_password`, handle: (ctx) => resetPassword(world, ctx) },
  ];
}

/** The project and branch a request names. */
function target(world: World, params: Record<string, string>): { project: ProjectRecord; branch: BranchRecord } {
  const project = requireProject(world, params.project_id);
  return { project, branch: requireBranch(world, project, params.branch_id) };
}

function requireRole(project: ProjectRecord, branch: BranchRecord, name: string): RoleRecord {
  const role = rolesOf(project, branch).find((r) => r.name === name);
  if (!role) throw notFound(`role ${name} in branch ${branch.id}`);
  return role;
}

function listRoles(world: World, { params }: RequestContext): Reply {
  const { project, branch } = target(world, params);
  return { status: 200, body: { roles: rolesOf(project, branch).map((r) => roleView(r, branch.id)) } };
}

function getRole(world: World, { params }: RequestContext): Reply {
  const { project, branch } = target(world, params);
  return { status: 200, body: { role: roleView(requireRole(project, branch, params.role_name), branch.id) } };
}

/** A login role with a generated password (shown in this answer, later through reveal_password). */
async function createRole(world: World, { params, body, now }: RequestContext): Promise<Reply> {
  const { project, branch } = target(world, params);
  const { name } = parseBody(roleCreateBody, body).role;
  if (rolesOf(project, branch).some((r) => r.name === name)) {
    throw new ApiError(409, "ROLE_ALREADY_EXISTS", `role ${name} already exists in branch ${branch.id}`);
  }
  const ops = startApplyConfig(world, project, branch, now);
  const role: RoleRecord = { name, password: rolePassword(), createdAt: now, updatedAt: now };
  ownContents(project, branch).roles.push(role);
  world.store.touch(branch);
  await world.backend?.rolesChanged?.(project.id, branch.id, rolesOf(project, branch));
  return {
    status: 201,
    body: { role: roleView(role, branch.id, true), operations: ops.map((op) => operationView(op, now)) },
  };
}

/** Deletes a role that owns no database (Postgres refuses to drop an owner; so does Neon). */
async function deleteRole(world: World, { params, now }: RequestContext): Promise<Reply> {
  const { project, branch } = target(world, params);
  const role = requireRole(project, branch, params.role_name);
  const owned = databasesOf(project, branch)
    .filter((d) => d.ownerName === role.name)
    .map((d) => d.name);
  if (owned.length > 0)
    throw badRequest(`role ${role.name} owns database(s) ${owned.join(", ")}; delete them or change their owner first`);
  const ops = startApplyConfig(world, project, branch, now);
  const contents = ownContents(project, branch);
  contents.roles.splice(contents.roles.indexOf(role), 1);
  world.store.touch(branch);
  await world.backend?.rolesChanged?.(project.id, branch.id, rolesOf(project, branch));
  return {
    status: 200,
    body: { role: roleView(role, branch.id), operations: ops.map((op) => operationView(op, now)) },
  };
}

function revealPassword(world: World, { params }: RequestContext): Reply {
  const { project, branch } = target(world, params);
  return { status: 200, body: { password: requireRole(project, branch, params.role_name).password } };
}

async function resetPassword(world: World, { params, now }: RequestContext): Promise<Reply> {
  const { project, branch } = target(world, params);
  requireRole(project, branch, params.role_name);
  const ops = startApplyConfig(world, project, branch, now);
  ownContents(project, branch);
  const role = requireRole(project, branch, params.role_name);
  role.password = rolePassword();
  role.updatedAt = now;
  world.store.touch(branch);
  await world.backend?.rolesChanged?.(project.id, branch.id, rolesOf(project, branch));
  return {
    status: 200,
    body: { role: roleView(role, branch.id, true), operations: ops.map((op) => operationView(op, now)) },
  };
}
