import type { BranchRecord, OperationRecord, ProjectRecord } from "../model";
import { assertUnlocked, startOperations, type World } from "../world";

/**
 * Starts what Neon runs when a branch's roles or databases change: one `apply_config` per compute of the
 * branch (none when the branch has no compute; the change is then in the branch's data only).
 */
export function startApplyConfig(
  world: World,
  project: ProjectRecord,
  branch: BranchRecord,
  now: number,
): OperationRecord[] {
  assertUnlocked(world, project, now);
  const endpoints = world.store.endpointsOf(project, branch.id);
  return startOperations(
    world,
    project,
    endpoints.map((e) => ({ action: "apply_config", branchId: branch.id, endpointId: e.id })),
    now,
  );
}
