import type { RunningEmulator } from "../../emulator/index";
import { type CheckedClient, checkedClient, failureOf, settle, startTestEmulator } from "./support/harness";

const DAY_MS = 24 * 3600 * 1000;
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();

describe("the emulator behaves like Neon where the fleet relies on it", () => {
  let emulator: RunningEmulator;
  let neon: CheckedClient;

  beforeAll(async () => {
    emulator = await startTestEmulator({ opMs: 400 });
    neon = checkedClient(emulator);
  });
  afterEach(() => expect(neon.violations()).toEqual([]));
  afterAll(() => emulator.close());

  it("locks a project while its operations run: a second mutation gets 423, reads still work", async () => {
    // Operations long enough (10 s) that even a heavily loaded machine sends the next mutations while they run.
    const slow = await startTestEmulator({ opMs: 10_000 });
    const slowNeon = checkedClient(slow);
    const { api } = slowNeon;
    const created = await api.createProject({ project: { name: "tenant-busy" } });
    const projectId = created.data.project.id;
    const endpointId = created.data.endpoints[0].id;
    const refused = await failureOf(api.updateProject(projectId, { project: { name: "tenant-busy-2" } }));
    expect(refused.status).toBe(423);
    expect(refused.data.message).toMatch(/running/);
    expect((await api.getProject(projectId)).data.project.name).toBe("tenant-busy");
    expect(
      (await failureOf(api.updateProjectEndpoint(projectId, endpointId, { endpoint: { autoscaling_limit_max_cu: 1 } })))
        .status,
    ).toBe(423);

    await settle(api, projectId);
    const ops = (await api.listProjectOperations({ projectId })).data.operations;
    expect(ops.map((op) => op.status)).toEqual(["finished", "finished"]);
    expect((await api.updateProject(projectId, { project: { name: "tenant-busy-2" } })).data.project.name).toBe(
      "tenant-busy-2",
    );
    expect(slowNeon.violations()).toEqual([]);
    await slow.close();
  });

  it("applies default_endpoint_settings only to endpoints created after the change", async () => {
    const { api } = neon;
    const created = await api.createProject({
      project: {
        name: "tenant-retier",
        default_endpoint_settings: {
          autoscaling_limit_min_cu: 0.25,
          autoscaling_limit_max_cu: 0.25,
          suspend_timeout_seconds: 300,
        },
      },
    });
    const projectId = created.data.project.id;
    const mainEndpoint = created.data.endpoints[0].id;
    await settle(api, projectId);
    await api.updateProject(projectId, {
      project: {
        default_endpoint_settings: {
          autoscaling_limit_min_cu: 1,
          autoscaling_limit_max_cu: 8,
          suspend_timeout_seconds: 600,
        },
      },
    });
    const existing = (await api.getProjectEndpoint(projectId, mainEndpoint)).data.endpoint;
    expect(existing).toMatchObject({
      autoscaling_limit_min_cu: 0.25,
      autoscaling_limit_max_cu: 0.25,
      suspend_timeout_seconds: 300,
    });

    const branch = await api.createProjectBranch(projectId, {
      branch: { name: "later" },
      endpoints: [{ type: "read_write" as never }],
    });
    expect(branch.data.endpoints[0]).toMatchObject({
      autoscaling_limit_min_cu: 1,
      autoscaling_limit_max_cu: 8,
      suspend_timeout_seconds: 600,
    });
    await settle(api, projectId);
    await api.updateProjectEndpoint(projectId, mainEndpoint, {
      endpoint: { autoscaling_limit_min_cu: 1, autoscaling_limit_max_cu: 8 },
    });
    expect((await api.getProjectEndpoint(projectId, mainEndpoint)).data.endpoint.autoscaling_limit_max_cu).toBe(8);
  });

  it("rejects values Neon rejects with 400 and a message naming the value", async () => {
    const { api } = neon;
    const projectsBefore = emulator.stats().projects;
    const invalid: [string, Promise<unknown>, RegExp][] = [
      ["unknown region", api.createProject({ project: { region_id: "aws-mars-1" } }), /region_id aws-mars-1/],
      ["pg_version 13", api.createProject({ project: { pg_version: 13 } }), /pg_version 13/],
      [
        "0.1 CU",
        api.createProject({ project: { default_endpoint_settings: { autoscaling_limit_min_cu: 0.1 } } }),
        /0\.25/,
      ],
      ["57 CU", api.createProject({ project: { default_endpoint_settings: { autoscaling_limit_max_cu: 57 } } }), /56/],
      [
        "min > max",
        api.createProject({
          project: { default_endpoint_settings: { autoscaling_limit_min_cu: 4, autoscaling_limit_max_cu: 2 } },
        }),
        /must not exceed/,
      ],
      [
        "suspend 30s",
        api.createProject({ project: { default_endpoint_settings: { suspend_timeout_seconds: 30 } } }),
        /suspend_timeout_seconds 30/,
      ],
      [
        "suspend over a week",
        api.createProject({ project: { default_endpoint_settings: { suspend_timeout_seconds: 604801 } } }),
        /604800/,
      ],
    ];
    for (const [, call, message] of invalid) {
      const failure = await failureOf(call);
      expect(failure.status).toBe(400);
      expect(failure.data.message).toMatch(message);
    }
    expect(emulator.stats().projects).toBe(projectsBefore);
    for (const suspend of [-1, 0, 60, 604800]) {
      const ok = await api.createProject({
        project: { name: `suspend-${suspend}`, default_endpoint_settings: { suspend_timeout_seconds: suspend } },
      });
      expect(ok.data.endpoints[0].suspend_timeout_seconds).toBe(suspend);
    }
  });

  it("keeps region and pg_version immutable", async () => {
    const { api } = neon;
    const created = await api.createProject({
      project: { name: "tenant-fixed", region_id: "aws-us-east-1", pg_version: 16 },
    });
    const projectId = created.data.project.id;
    await settle(api, projectId);
    const failure = await failureOf(
      api.updateProject(projectId, { project: { region_id: "aws-eu-central-1", pg_version: 17 } as never }),
    );
    expect(failure.status).toBe(400);
    expect((await api.getProject(projectId)).data.project).toMatchObject({
      region_id: "aws-us-east-1",
      pg_version: 16,
    });
  });

  it("bounds branch expires_at: not past, not over 30 days ahead, never on the default branch", async () => {
    const { api } = neon;
    const created = await api.createProject({ project: { name: "fleet-dev" } });
    const projectId = created.data.project.id;
    const mainId = created.data.branch.id;
    await settle(api, projectId);
    expect(
      (await failureOf(api.createProjectBranch(projectId, { branch: { name: "old", expires_at: inDays(-1) } }))).status,
    ).toBe(400);
    expect(
      (await failureOf(api.createProjectBranch(projectId, { branch: { name: "far", expires_at: inDays(31) } }))).status,
    ).toBe(400);
    expect(
      (await failureOf(api.updateProjectBranch(projectId, mainId, { branch: { expires_at: inDays(1) } }))).status,
    ).toBe(400);
    const ok = await api.createProjectBranch(projectId, { branch: { name: "month", expires_at: inDays(29.9) } });
    expect(ok.data.branch.expires_at).toBeDefined();
  });

  it("deletes a branch when its expires_at passes, and answers 404 for a deleted project", async () => {
    const { api } = neon;
    const created = await api.createProject({ project: { name: "tenant-ephemeral" } });
    const projectId = created.data.project.id;
    await settle(api, projectId);
    const expiresAt = new Date(Date.now() + 600).toISOString();
    const branch = await api.createProjectBranch(projectId, {
      branch: { name: "short-lived", expires_at: expiresAt },
      endpoints: [{ type: "read_write" as never }],
    });
    const branchId = branch.data.branch.id;
    expect((await api.getProjectBranch(projectId, branchId)).status).toBe(200);
    while ((await api.listProjectBranches({ projectId })).data.branches.some((b) => b.id === branchId)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
    expect((await failureOf(api.getProjectBranch(projectId, branchId))).status).toBe(404);
    expect((await api.listProjectEndpoints(projectId)).data.endpoints).toHaveLength(1);

    await api.deleteProject(projectId);
    expect((await failureOf(api.getProject(projectId))).status).toBe(404);
    expect((await failureOf(api.deleteProject(projectId))).status).toBe(404);
  });
});
