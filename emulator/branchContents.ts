import type { Credentials } from "./connection";
import type { BranchRecord, DatabaseRecord, ProjectRecord, RoleRecord } from "./model";

/**
 * The roles and databases of a branch. A branch starts with its project's owner role and database (or, when
 * created from a parent, with a copy of the parent's), as on Neon, where they live in the branch's data.
 * Branches nobody changed keep no copy of their own: a fleet of 300,000 untouched branches stores nothing extra.
 */

/** The roles of `branch`, the project's owner first. */
export function rolesOf(project: ProjectRecord, branch: BranchRecord): RoleRecord[] {
  return (
    branch.roles ?? [
      {
        name: project.roleName,
        password: project.password,
        createdAt: project.createdAt,
        updatedAt: project.createdAt,
      },
    ]
  );
}

/** The databases of `branch`, the project's database first. */
export function databasesOf(project: ProjectRecord, branch: BranchRecord): DatabaseRecord[] {
  return (
    branch.databases ?? [
      {
        id: 1,
        name: project.databaseName,
        ownerName: project.roleName,
        createdAt: project.createdAt,
        updatedAt: project.createdAt,
      },
    ]
  );
}

/** Makes the branch's roles and databases its own, so they can change without touching other branches. */
export function ownContents(
  project: ProjectRecord,
  branch: BranchRecord,
): { roles: RoleRecord[]; databases: DatabaseRecord[] } {
  branch.roles ??= rolesOf(project, branch);
  branch.databases ??= databasesOf(project, branch);
  return { roles: branch.roles, databases: branch.databases };
}

/** What a new branch inherits from its parent: copies of the parent's own roles and databases, if it has any. */
export function inheritedContents(parent: BranchRecord): Pick<BranchRecord, "roles" | "databases"> {
  return {
    ...(parent.roles && { roles: parent.roles.map((r) => ({ ...r })) }),
    ...(parent.databases && { databases: parent.databases.map((d) => ({ ...d })) }),
  };
}

/**
 * What the branch's create answer and default connection strings use: the project's owner role and database
 * as they are on this branch (its password may have been reset), else the branch's first ones.
 */
export function ownerCredentials(project: ProjectRecord, branch: BranchRecord): Credentials {
  const roles = rolesOf(project, branch);
  const databases = databasesOf(project, branch);
  const role = roles.find((r) => r.name === project.roleName) ?? roles[0];
  const database = databases.find((d) => d.name === project.databaseName) ?? databases[0];
  return {
    roleName: role?.name ?? project.roleName,
    password: role?.password ?? project.password,
    databaseName: database?.name ?? project.databaseName,
  };
}
