import type { RunningEmulator } from "../../emulator/index";
import { type CheckedClient, checkedClient, startTestEmulator } from "./support/harness";

describe("listing a large fleet of projects", () => {
  let emulator: RunningEmulator;
  let neon: CheckedClient;
  const created: string[] = [];

  beforeAll(async () => {
    emulator = await startTestEmulator();
    neon = checkedClient(emulator);
    for (let batch = 0; batch < 950; batch += 50) {
      const ids = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          neon.api.createProject({ project: { name: `tenant-${String(batch + i).padStart(4, "0")}` } }),
        ),
      );
      created.push(...ids.map((r) => r.data.project.id));
    }
  });
  afterAll(() => emulator.close());

  it("pages 950 projects by 400 in three pages with no duplicates and none missing", async () => {
    const pages: string[][] = [];
    let cursor: string | undefined;
    for (;;) {
      const { data } = await neon.api.listProjects({ limit: 400, cursor });
      if (data.projects.length === 0) break;
      pages.push(data.projects.map((p) => p.id));
      cursor = data.pagination?.cursor;
      if (data.projects.length < 400) break;
    }
    expect(pages.map((p) => p.length)).toEqual([400, 400, 150]);
    const all = pages.flat();
    expect(new Set(all).size).toBe(950);
    expect([...all].sort()).toEqual([...created].sort());
    expect(emulator.stats().requests.byRoute["GET /projects"]).toBe(3);
  });

  it("keeps paging correctly when a project of the previous page is deleted in between", async () => {
    const first = await neon.api.listProjects({ limit: 10 });
    const last = first.data.projects[9].id;
    await neon.api.deleteProject(last);
    const next = await neon.api.listProjects({ limit: 10, cursor: first.data.pagination?.cursor });
    expect(next.data.projects[0].id).toBe(created[10]);
  });

  it("searches by partial name or id; callers filter exactly themselves", async () => {
    const { data } = await neon.api.listProjects({ search: "tenant-012", limit: 400 });
    expect(data.projects.map((p) => p.name).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `tenant-012${i}`));
    const byId = await neon.api.listProjects({ search: created[500] });
    expect(byId.data.projects.map((p) => p.id)).toEqual([created[500]]);
    expect((await neon.api.listProjects({ search: "no-such-tenant" })).data.projects).toEqual([]);
    expect(neon.violations()).toEqual([]);
  });
});
