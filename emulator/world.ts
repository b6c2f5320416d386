import { locked, notFound } from "./apiError";
import type { DatabaseBackend } from "./databaseBackend";
import { operationId } from "./ids";
import type { BranchRecord, EndpointRecord, OperationRecord, ProjectRecord } from "./model";
import type { Store } from "./store";

/** What route handlers share: the data, the configured Neon behaviour and the optional data plane. */
export interface World {
  store: Store;
  /** How long each operation runs (scheduling then running) before it is finished. */
  opMs: number;
  /** Live projects allowed per account. */
  projectLimit: number;
  /** Branches allowed per project (see limits.ts); absent = Neon's highest. */
  branchLimit?: number;
  /** Live projects allowed per organization (`--org-limit ORG=N`); an org not listed has only the account's limit. */
  orgProjectLimits: Map<string, number>;
  /** When set, the API key is scoped to this organization (`--org-key ORG`): it may not transfer projects. */
  orgKey?: string;
  backend?: DatabaseBackend;
}

/** One operation to start: its action and the object it works on. */
export interface OperationSpec {
  action: string;
  branchId?: string;
  endpointId?: string;
}

export function requireProject(world: World, id: string): ProjectRecord {
  const project = world.store.projects.get(id);
  if (!project) throw notFound(`project ${id}`);
  return project;
}

export function requireBranch(world: World, project: ProjectRecord, id: string): BranchRecord {
  const branch = world.store.branches.get(id);
  if (!branch || branch.projectId !== project.id) throw notFound(`branch ${id}`);
  return branch;
}

export function requireEndpoint(world: World, project: ProjectRecord, id: string): EndpointRecord {
  const endpoint = world.store.endpoints.get(id);
  if (!endpoint || endpoint.projectId !== project.id) throw notFound(`endpoint ${id}`);
  return endpoint;
}

/**
 * Neon runs one mutation per project at a time: while an operation of the project is unfinished, a new
 * mutation gets 423. Operations of one mutation share their finish time and later mutations finish later,
 * so the last operation tells whether any is still running.
 */
export function assertUnlocked(world: World, project: ProjectRecord, now: number): void {
  const lastId = project.operationIds[project.operationIds.length - 1];
  const last = lastId === undefined ? undefined : world.store.operations.get(lastId);
  if (last && last.finishAt > now) throw locked();
}

/** Starts the operations of one mutation; they all finish `opMs` from now. */
export function startOperations(
  world: World,
  project: ProjectRecord,
  specs: OperationSpec[],
  now: number,
): OperationRecord[] {
  return specs.map((spec) => {
    const op: OperationRecord = {
      id: operationId(),
      projectId: project.id,
      ...spec,
      createdAt: now,
      finishAt: now + world.opMs,
    };
    world.store.addOperation(project, op);
    return op;
  });
}
