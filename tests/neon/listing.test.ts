import { createNeonClient, type NeonClient } from "../../provider/neon";
import { requests, seedProjects, startRig, TEST_KEY, type Rig } from "./emulatorClient";

describe("reading a large fleet", () => {
  let rig: Rig;
  let ids: string[];
  beforeAll(async () => {
    rig = await startRig({ projectLimit: 2_000, opMs: 0 });
    ids = await seedProjects(
      rig.emulator,
      Array.from({ length: 950 }, (_, i) => `tenant-p${i}`),
    );
  });
  afterAll(() => rig.emulator.close());

  /** A client of a new run: nothing cached yet. */
  const freshClient = (): NeonClient =>
    createNeonClient({ apiKey: TEST_KEY, apiHost: rig.emulator.url }, { ratePerMinute: 30_000, burstPerSecond: 500 });

  it("refreshing many tenants on a cold client pages through the account instead of one GET each", async () => {
    const client = freshClient();
    rig.emulator.resetStats();
    // The last 200 of the account: every page is needed, so the listing is over when the reads are.
    const read = await Promise.all(ids.slice(-200).map((id) => client.getProject(id, {})));
    expect(read.map((p) => p?.id)).toEqual(ids.slice(-200));
    // A few single reads, then at most the three pages of the account.
    expect(requests(rig.emulator).total).toBeLessThanOrEqual(4 + 3);
  });

  it("listing 950 projects costs 3 calls, and reads of listed projects afterwards cost none", async () => {
    const client = freshClient();
    rig.emulator.resetStats();
    const listed: string[] = [];
    for await (const project of client.listProjects()) listed.push(project.id);
    expect(listed).toHaveLength(950);
    expect(requests(rig.emulator).byRoute).toEqual({ "GET /projects": 3 });

    rig.emulator.resetStats();
    const acme = await client.getProject(ids[123], {});
    expect(acme?.name).toBe("tenant-p123");
    expect(await client.findProjectByName("tenant-p949", {})).toMatchObject({ id: ids[949] });
    expect(requests(rig.emulator).total).toBe(0);

    // An id no listing had may belong to another organization: Neon is asked, once.
    expect(await client.getProject("no-such-project-123", {})).toBeUndefined();
    expect(await client.getProject("no-such-project-123", {})).toBeUndefined();
    expect(requests(rig.emulator).byRoute).toEqual({ "GET /projects/{project_id}": 1 });
  });

  it("a project deleted twice, or never there, is deleted without error", async () => {
    await rig.client.deleteProject(ids[0], {});
    await rig.client.deleteProject(ids[0], {});
    await rig.client.deleteProject("no-such-project-123", {});
    expect(await rig.client.getProject(ids[0], {})).toBeUndefined();
    expect(rig.emulator.stats().projects).toBe(949);
  });
});
