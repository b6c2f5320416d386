import type { Project } from "@neondatabase/api-client";
import { parsePreviewDocument, readFleetChanges, renderSummary } from "../../tools/summarize";
import { fleetWorld, type FleetWorld } from "./fleetWorld";
import { STORY_MS } from "../support/timeouts";

/**
 * Adopting a hand-made project (unlimited quotas, 1-4 CU) onto the free tier of tests/fixtures/fleet/rename: the
 * preview names every setting the adoption cuts, at one read for the adopting tenant and none for the others.
 */
describe("adopting a live project", () => {
  let world: FleetWorld;
  beforeAll(async () => {
    world = await fleetWorld("rename");
  }, STORY_MS);
  afterAll(async () => world.close());

  it(
    "the preview and the summary list each tier setting an adoption changes, before -> after, at one read",
    async () => {
      const { project } = await world.api<{ project: Project }>("POST", "/projects", {
        project: {
          name: "shop-by-hand",
          region_id: "aws-us-east-2",
          pg_version: 17,
          default_endpoint_settings: {
            autoscaling_limit_min_cu: 1,
            autoscaling_limit_max_cu: 4,
            suspend_timeout_seconds: 300,
          },
        },
      });
      world.editPlan("tenants/customers.yaml", (text) => `${text}  - id: shop\n    adopt: ${project.id}\n`);
      world.emulator.resetStats();

      const preview = await world.run("preview");

      expect(preview.failures).toEqual([]);
      expect(world.emulator.stats().requests.total).toBe(1);
      expect(world.emulator.stats().requests.byRoute["GET /projects/{project_id}"]).toBe(1);
      const summary = renderSummary(readFleetChanges(parsePreviewDocument(JSON.stringify(preview.preview), "preview")));
      expect(summary).toContain(
        `**shop** (free) adopts project ${project.id}: compute 1-4 CU -> 0.25 CU, computeTime unlimited -> 100h, ` +
          "storage unlimited -> 512MiB, dataTransfer unlimited -> 5GiB, writtenData unlimited -> 1GiB",
      );
    },
    STORY_MS,
  );
});
