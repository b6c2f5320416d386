import type { RunningEmulator } from "../../emulator/index";
import { type CheckedClient, checkedClient, failureOf, settle, startTestEmulator } from "./support/harness";

const HOUR_MS = 3600 * 1000;

describe("the emulator restores a branch to a point in time like Neon", () => {
  let emulator: RunningEmulator;
  let neon: CheckedClient;

  beforeAll(async () => {
    emulator = await startTestEmulator({ opMs: 50 });
    neon = checkedClient(emulator);
  });
  afterEach(() => expect(neon.violations()).toEqual([]));
  afterAll(() => emulator.close());

  it("keeps the branch id and endpoint and preserves the old state under the given name", async () => {
    const { api } = neon;
    const created = await api.createProject({ project: { name: "tenant-pitr" } });
    const projectId = created.data.project.id;
    const mainId = created.data.branch.id;
    expect(created.data.project.history_retention_seconds).toBe(86_400);
    await settle(api, projectId);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const restored = await api.restoreProjectBranch(projectId, mainId, {
      source_branch_id: mainId,
      source_timestamp: new Date(Date.now() - 500).toISOString(),
      preserve_under_name: "acme-before-incident-42",
    });
    expect(restored.data.branch.id).toBe(mainId);
    await settle(api, projectId);
    const branches = (await api.listProjectBranches({ projectId })).data.branches;
    expect(branches.map((b) => b.name).sort()).toEqual(["acme-before-incident-42", "main"]);
    const endpoints = (await api.listProjectEndpoints(projectId)).data.endpoints;
    expect(endpoints.map((e) => e.branch_id)).toEqual([mainId]);

    const again = await failureOf(
      api.restoreProjectBranch(projectId, mainId, {
        source_branch_id: mainId,
        source_timestamp: new Date().toISOString(),
        preserve_under_name: "acme-before-incident-42",
      }),
    );
    expect(again.status).toBe(409);
  });

  it("refuses a time outside history_retention_seconds with a 400 naming the window", async () => {
    const { api } = neon;
    const created = await api.createProject({ project: { name: "tenant-window", history_retention_seconds: 3600 } });
    const projectId = created.data.project.id;
    const mainId = created.data.branch.id;
    await settle(api, projectId);
    const tooOld = await failureOf(
      api.restoreProjectBranch(projectId, mainId, {
        source_branch_id: mainId,
        source_timestamp: new Date(Date.now() - 2 * HOUR_MS).toISOString(),
        preserve_under_name: "before",
      }),
    );
    expect(tooOld.status).toBe(400);
    expect(tooOld.data.code).toBe("BAD_REQUEST");
    expect(tooOld.data.message).toContain("history_retention_seconds is 3600");
    const future = await failureOf(
      api.restoreProjectBranch(projectId, mainId, {
        source_branch_id: mainId,
        source_timestamp: new Date(Date.now() + HOUR_MS).toISOString(),
        preserve_under_name: "b",
      }),
    );
    expect(future.status).toBe(400);
    expect((await api.listProjectBranches({ projectId })).data.branches).toHaveLength(1);
  });

  it("takes history_retention_seconds up to 30 days on create and update, and no more", async () => {
    const { api } = neon;
    const created = await api.createProject({
      project: { name: "tenant-retention", history_retention_seconds: 604_800 },
    });
    const projectId = created.data.project.id;
    await settle(api, projectId);
    const raised = await api.updateProject(projectId, { project: { history_retention_seconds: 2_592_000 } });
    expect(raised.data.project.history_retention_seconds).toBe(2_592_000);
    const tooLong = await failureOf(
      api.updateProject(projectId, { project: { history_retention_seconds: 2_592_001 } }),
    );
    expect(tooLong.status).toBe(400);
  });
});
