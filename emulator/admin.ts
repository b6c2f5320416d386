import { ApiError } from "./apiError";
import { consumptionSetBody, parseBody } from "./requests";
import type { AdminHandler } from "./server";
import type { StatsCounter } from "./stats";
import type { World } from "./world";

/**
 * The control routes tests and benchmarks use: `GET /__emulator/stats`, `POST /__emulator/reset-stats`,
 * `POST /__emulator/consumption`. They need no key, are not rate limited and are not counted.
 */
export function adminHandler(world: World, stats: StatsCounter): AdminHandler {
  return (method, path, body) => {
    const route = `${method} ${path}`;
    if (route === "GET /__emulator/stats") return { status: 200, body: stats.snapshot(world.store.projectCount) };
    if (route === "POST /__emulator/reset-stats") {
      stats.reset();
      return { status: 200, body: stats.snapshot(world.store.projectCount) };
    }
    if (route === "POST /__emulator/consumption") {
      try {
        const { projectId, metrics } = parseBody(consumptionSetBody, body);
        const project = world.store.projects.get(projectId);
        if (!project) return { status: 404, body: { code: "NOT_FOUND", message: `project ${projectId} not found` } };
        project.consumption = metrics;
        world.store.projectChanged(project);
        return { status: 200, body: { projectId, metrics } };
      } catch (err) {
        if (err instanceof ApiError) return { status: err.status, body: { code: err.code, message: err.message } };
        throw err;
      }
    }
    return undefined;
  };
}
