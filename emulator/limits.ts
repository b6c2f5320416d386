import { ApiError } from "./apiError";
import type { ProjectRecord } from "./model";
import type { World } from "./world";

/**
 * Neon's per-project branch limit, as the emulator models it. The emulator keeps its own copy of Neon's numbers
 * on purpose (an independent model of Neon, never the provider's): 5,000 branches per project is the highest limit
 * Neon grants (Launch has 10, Scale 25; `--branch-limit` sets the account's).
 */
export const DEFAULT_BRANCH_LIMIT = 5_000;

/** Refuses a new branch of `project` once it holds the account's branch limit (the default branch counts). */
export function assertBranchRoom(world: World, project: ProjectRecord): void {
  const limit = world.branchLimit ?? DEFAULT_BRANCH_LIMIT;
  const count = world.store.branchesOf(project).length;
  if (count >= limit) {
    throw new ApiError(
      422,
      "BRANCHES_LIMIT_EXCEEDED",
      `branches limit of ${limit} exceeded for project ${project.id}, got ${count}; ` +
        "delete branches or raise the plan's limit",
    );
  }
}
