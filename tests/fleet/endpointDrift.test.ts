import type { Endpoint, ProjectListItem } from "@neondatabase/api-client";
import { configureNeon } from "../../provider/neon";
import { provider as planQuota, type PlanQuotaOutputs } from "../../provider/resources/planQuota";
import { API_KEY, fleetWorld, stepOps, type FleetWorld } from "./fleetWorld";
import { STORY_MS } from "../support/timeouts";

/**
 * An endpoint changed by hand in the Neon console (tests/fixtures/fleet/small: acme pro, globex free,
 * initech enterprise, and the dev project fleet-dev): refresh finds it, preview names it, up puts it back.
 */
/** One or two engine runs per story: well under a minute each, with room for a busy machine. */
/** The pro tier of the fixture: compute 0.25..2 CU, suspend after 10 minutes. */
const PRO = { autoscaling_limit_min_cu: 0.25, autoscaling_limit_max_cu: 2, suspend_timeout_seconds: 600 };
/** Every PlanQuota of the fixture (three tenants and the dev project): one endpoint listing each on refresh. */
const PLAN_QUOTAS = 4;
const ENDPOINT_LISTING = "GET /projects/{project_id}/endpoints";

describe("an endpoint changed by hand", () => {
  let world: FleetWorld;
  let acme: ProjectListItem;
  let handEdited: Endpoint;
  /** The fleet's steps other than `same`, by resource name. */
  const changed = (ops: Record<string, string>): Record<string, string> =>
    Object.fromEntries(Object.entries(ops).filter(([, op]) => op !== "same"));

  beforeAll(async () => {
    world = await fleetWorld("small");
    const first = await world.run("up");
    expect(first.failures).toEqual([]);
    acme = await world.project("tenant-acme");
    [handEdited] = await world.endpoints(acme.id);
    await world.api("PATCH", `/projects/${acme.id}/endpoints/${handEdited.id}`, {
      endpoint: { autoscaling_limit_max_cu: 4, suspend_timeout_seconds: 3600 },
    });
  }, STORY_MS);
  afterAll(async () => world.close());

  it(
    "with neon-fleet:refreshEndpoints=false stored by an up, refresh lists no endpoints and the change goes unseen",
    async () => {
      // Refresh configures the provider from the config stored in state by the last up, as Pulumi does: the
      // setting only reaches refresh once an up has stored it.
      world.emulator.resetStats();
      const stored = await world.run("up", { "neon-fleet:refreshEndpoints": "false" });
      expect(stored.failures).toEqual([]);
      expect(world.mutations()).toBe(0);
      world.emulator.resetStats();

      const refresh = await world.run("refresh", { "neon-fleet:refreshEndpoints": "false" });
      const preview = await world.run("preview", { "neon-fleet:refreshEndpoints": "false" });

      expect(refresh.failures).toEqual([]);
      expect(world.emulator.stats().requests.byRoute[ENDPOINT_LISTING]).toBeUndefined();
      expect(changed(stepOps(preview, "PlanQuota"))).toEqual({});
      expect((await world.run("up")).failures).toEqual([]); // stores the default (true) again
    },
    STORY_MS,
  );

  it(
    "refresh lists each project's endpoints once per pass (its preview, then the refresh), and preview shows an update of exactly that tenant, naming the endpoint and its values",
    async () => {
      world.emulator.resetStats();

      const refresh = await world.run("refresh");
      const preview = await world.run("preview");

      expect(refresh.failures).toEqual([]);
      expect(world.emulator.stats().requests.byRoute[ENDPOINT_LISTING]).toBe(2 * PLAN_QUOTAS);
      expect(changed(stepOps(preview, "PlanQuota"))).toEqual({ acme: "update" });
      expect(changed(stepOps(preview, "TenantProject"))).toEqual({});
      const step = preview.preview.steps.find((s) => s.op === "update" && s.urn.endsWith("neon:PlanQuota::acme"));
      // Like a real `preview --json`, a dynamic resource's step names no diffReasons: the drift shows in its old state.
      expect(step).toBeDefined();
      expect(step).not.toHaveProperty("diffReasons");
      expect(step?.oldState?.inputs.driftedEndpoints).toEqual({
        [handEdited.id]: { ...PRO, autoscaling_limit_max_cu: 4, suspend_timeout_seconds: 3600 },
      });
      expect(world.mutations()).toBe(0);
    },
    STORY_MS,
  );

  it(
    "up puts the endpoint back on its tier with one endpoint patch, and a second up changes nothing",
    async () => {
      world.emulator.resetStats();

      const up = await world.run("up");

      expect(up.failures).toEqual([]);
      expect(changed(stepOps(up, "PlanQuota"))).toEqual({ acme: "update" });
      const restored = (await world.endpoints(acme.id)).find((e) => e.id === handEdited.id);
      expect(restored).toMatchObject(PRO);
      const byRoute = world.emulator.stats().requests.byRoute;
      expect(byRoute["PATCH /projects/{project_id}/endpoints/{endpoint_id}"]).toBe(1);
      expect(byRoute["PATCH /projects/{project_id}"]).toBeUndefined();

      world.emulator.resetStats();
      const again = await world.run("up");
      expect(again.failures).toEqual([]);
      expect(Object.keys(again.preview.changeSummary)).toEqual(["same"]);
      expect(world.mutations()).toBe(0);
    },
    STORY_MS,
  );

  it(
    "a project deleted after the run last saw it reads as gone, not as a failed endpoint listing",
    async () => {
      configureNeon({ apiKey: API_KEY, apiHost: world.emulator.url });
      const globex = await world.project("tenant-globex");
      const recorded: PlanQuotaOutputs = {
        tenantId: "globex",
        tier: "free",
        projectId: globex.id,
        quota: {
          active_time_seconds: 0,
          compute_time_seconds: 0,
          written_data_bytes: 0,
          data_transfer_bytes: 0,
          logical_size_bytes: 0,
        },
        endpointSettings: {
          autoscaling_limit_min_cu: 0.25,
          autoscaling_limit_max_cu: 0.25,
          suspend_timeout_seconds: 300,
        },
      };
      // The first read puts the project in the run's cache, as the run's listing would.
      expect((await planQuota.read!("globex", recorded)).id).toBe("globex");
      await world.api("DELETE", `/projects/${globex.id}`);
      world.emulator.resetStats();

      const read = await planQuota.read!("globex", recorded);

      expect(read.id).toBe("");
      // The project came from the cache: only the endpoint listing asked Neon, and its 404 meant gone.
      expect(world.emulator.stats().requests.byRoute).toEqual({ [ENDPOINT_LISTING]: 1 });
    },
    STORY_MS,
  );
});
