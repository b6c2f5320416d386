import { runEngine } from "../engine";
import { fleetWorld, type FleetWorld } from "./fleetWorld";
import { STORY_MS } from "../support/timeouts";

/** Each story is one failed engine run: seconds, with room for a busy machine. */
const STACK_URN = "urn:pulumi:local::neon-fleet::pulumi:pulumi:Stack::neon-fleet-local";

describe("stack config the program refuses before registering anything", () => {
  let world: FleetWorld;
  beforeEach(async () => {
    world = await fleetWorld("small");
  });
  afterEach(async () => world.close());

  it(
    "an invalid neon-fleet:refreshEndpoints fails the whole run in one line, not the first PlanQuota alone",
    async () => {
      const result = await world.run("up", { "neon-fleet:refreshEndpoints": "sometimes" });
      expect(result.ok).toBe(false);
      expect(result.failures.map((f) => `${f.urn}: ${f.message}`)).toEqual([
        `${STACK_URN}: stack config neon-fleet:refreshEndpoints is "sometimes"; set it to true or false`,
      ]);
      expect(result.preview.steps.filter((s) => !s.urn.endsWith("::neon-fleet-local"))).toEqual([]);
      expect(world.emulator.stats().requests.total).toBe(0);
    },
    STORY_MS,
  );

  it(
    "up without an API key says so once, before any resource runs",
    async () => {
      const result = await runEngine({
        command: "up",
        plansDir: world.plansDir,
        stateFile: world.stateFile,
        apiUrl: world.emulator.url,
        env: { NEON_API_KEY: "" },
      });
      expect(result.failures.map((f) => f.message)).toEqual([
        "no Neon API key: set NEON_API_KEY, or run `pulumi config set --secret neon-fleet:apiKey <key>` for the stack",
      ]);
      expect(world.emulator.stats().requests.total).toBe(0);
    },
    STORY_MS,
  );
});
