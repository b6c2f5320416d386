import type { RunningEmulator } from "../../emulator/index";
import { type CheckedClient, checkedClient, control, failureOf, settle, sharedContract, startTestEmulator } from "./support/harness";

/** Every route the emulator serves; the story below must exercise each one. */
const ROUTES = [
  "POST /projects", "GET /projects", "GET /projects/{project_id}", "PATCH /projects/{project_id}", "DELETE /projects/{project_id}",
  "GET /projects/{project_id}/operations", "GET /projects/{project_id}/operations/{operation_id}",
  "POST /projects/{project_id}/branches", "GET /projects/{project_id}/branches", "GET /projects/{project_id}/branches/{branch_id}",
  "PATCH /projects/{project_id}/branches/{branch_id}", "DELETE /projects/{project_id}/branches/{branch_id}",
  "POST /projects/{project_id}/branches/{branch_id}/restore",
  "GET /projects/{project_id}/endpoints", "GET /projects/{project_id}/endpoints/{endpoint_id}", "PATCH /projects/{project_id}/endpoints/{endpoint_id}",
  "GET /projects/{project_id}/connection_uri", "GET /consumption_history/projects",
];

describe("the emulator speaks Neon's published API contract", () => {
  let emulator: RunningEmulator;
  let neon: CheckedClient;

  beforeAll(async () => {
    emulator = await startTestEmulator({ projectLimit: 2, opMs: 250 });
    neon = checkedClient(emulator);
  });
  afterAll(() => emulator.close());

  it("answers a tenant's whole lifecycle, successes and failures, exactly as the OpenAPI document says", async () => {
    const { api } = neon;
    const created = await api.createProject({
      project: {
        name: "tenant-acme",
        region_id: "aws-eu-central-1",
        pg_version: 16,
        settings: { quota: { compute_time_seconds: 360000, logical_size_bytes: 536870912 } },
        default_endpoint_settings: { autoscaling_limit_min_cu: 0.25, autoscaling_limit_max_cu: 2, suspend_timeout_seconds: 300 },
      },
    });
    expect(created.status).toBe(201);
    const projectId = created.data.project.id;
    expect(projectId).toMatch(/^[a-z]+-[a-z]+-\d{8}$/);
    expect(created.data.branch.name).toBe("main");
    expect(created.data.roles.map((r) => r.name)).toEqual(["neondb_owner"]);
    expect(created.data.databases.map((d) => d.name)).toEqual(["neondb"]);
    expect(created.data.endpoints[0]).toMatchObject({ type: "read_write", autoscaling_limit_max_cu: 2, suspend_timeout_seconds: 300 });
    expect(created.data.connection_uris[0].connection_uri).toMatch(
      /^postgresql:\/\/neondb_owner:npg_\w+@ep-[a-z]+-[a-z]+-\d{8}\.eu-central-1\.aws\.neon\.tech\/neondb\?sslmode=require$/,
    );
    expect(created.data.operations.map((op) => op.status)).toEqual(["scheduling", "scheduling"]);
    const mainId = created.data.branch.id;
    const endpointId = created.data.endpoints[0].id;

    const operation = await api.getProjectOperation(projectId, created.data.operations[0].id);
    expect(operation.data.operation.action).toBe("create_timeline");
    await settle(api, projectId);

    expect((await api.getProject(projectId)).data.project.settings?.quota?.compute_time_seconds).toBe(360000);
    const listed = await api.listProjects({ search: "acme", limit: 400 });
    expect(listed.data.projects.map((p) => p.id)).toEqual([projectId]);
    const patched = await api.updateProject(projectId, { project: { settings: { quota: { compute_time_seconds: 0 } } } });
    expect(patched.data.project.settings?.quota).toEqual({ compute_time_seconds: 0, logical_size_bytes: 536870912 });

    const expiresAt = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
    const branch = await api.createProjectBranch(projectId, {
      branch: { name: "feature-login", parent_id: mainId, expires_at: expiresAt },
      endpoints: [{ type: "read_write" as never }],
    });
    expect(branch.status).toBe(201);
    expect(branch.data.branch).toMatchObject({ name: "feature-login", parent_id: mainId, expires_at: expiresAt });
    const branchId = branch.data.branch.id;
    await settle(api, projectId);
    expect((await api.listProjectBranches({ projectId })).data.branches.map((b) => b.name)).toEqual(["main", "feature-login"]);
    expect((await api.getProjectBranch(projectId, branchId)).data.branch.current_state).toBe("ready");
    const renamed = await api.updateProjectBranch(projectId, branchId, { branch: { name: "feature-signup", expires_at: null } });
    expect(renamed.data.branch.expires_at).toBeUndefined();
    const restored = await api.restoreProjectBranch(projectId, branchId, { source_branch_id: mainId });
    expect(restored.data.branch.last_reset_at).toBeDefined();
    await settle(api, projectId);

    expect((await api.listProjectEndpoints(projectId)).data.endpoints).toHaveLength(2);
    expect((await api.getProjectEndpoint(projectId, endpointId)).data.endpoint.branch_id).toBe(mainId);
    const resized = await api.updateProjectEndpoint(projectId, endpointId, { endpoint: { autoscaling_limit_max_cu: 4 } });
    expect(resized.data.operations.map((op) => op.action)).toEqual(["apply_config"]);
    await settle(api, projectId);

    const direct = await api.getConnectionUri({ projectId, database_name: "neondb", role_name: "neondb_owner" });
    const pooled = await api.getConnectionUri({ projectId, branch_id: branchId, database_name: "neondb", role_name: "neondb_owner", pooled: true });
    expect(direct.data.uri).toContain(`@${endpointId}.eu-central-1.aws.neon.tech/`);
    expect(pooled.data.uri).toMatch(/@ep-[a-z]+-[a-z]+-\d{8}-pooler\.eu-central-1\.aws\.neon\.tech\/neondb\?sslmode=require$/);

    await control(emulator, "POST", "consumption", { projectId, metrics: { compute_time_seconds: 7200, written_data_bytes: 1024 } });
    const usage = await api.getConsumptionHistoryPerProject({
      project_ids: [projectId], from: "2026-11-01T00:00:00Z", to: "2026-11-25T00:00:00Z", granularity: "monthly" as never,
    });
    expect(usage.data.projects[0].periods[0].consumption[0]).toMatchObject({ compute_time_seconds: 7200, written_data_bytes: 1024 });

    expect((await failureOf(api.getProject("no-such-project-00000000"))).status).toBe(404);
    expect((await failureOf(api.updateProjectEndpoint(projectId, endpointId, { endpoint: { autoscaling_limit_min_cu: 60 } }))).status).toBe(400);
    await api.updateProjectEndpoint(projectId, endpointId, { endpoint: { suspend_timeout_seconds: -1 } });
    expect((await failureOf(api.updateProjectEndpoint(projectId, endpointId, { endpoint: { suspend_timeout_seconds: 60 } }))).status).toBe(423);
    await settle(api, projectId);
    await api.createProject({ project: { name: "tenant-second" } });
    const overLimit = await failureOf(api.createProject({ project: { name: "tenant-third" } }));
    expect(overLimit.status).toBe(422);
    expect(overLimit.data.code).toBe("PROJECTS_LIMIT_EXCEEDED");

    const deletedBranch = await api.deleteProjectBranch({ projectId, branchId });
    expect(deletedBranch.data.operations.map((op) => op.action)).toContain("delete_timeline");
    await settle(api, projectId);
    expect((await api.deleteProject(projectId)).data.project.id).toBe(projectId);
    expect((await failureOf(api.getProject(projectId))).status).toBe(404);

    expect([...neon.answered()].sort()).toEqual(expect.arrayContaining(ROUTES));
    expect(Object.keys(emulator.stats().requests.byRoute).sort()).toEqual([...ROUTES].sort());
    expect(neon.violations()).toEqual([]);
  });

  it("would catch an answer with an invented field, a missing required field or an undeclared status", () => {
    const contract = sharedContract();
    const operation = { id: "8c1b6d3e-1f2a-4b5c-9d8e-7f6a5b4c3d2e", project_id: "p-1", action: "apply_config", status: "finished", failures_count: 0, created_at: "2026-11-25T00:00:00Z", updated_at: "2026-11-25T00:00:00Z", total_duration_ms: 1 };
    expect(contract.check("GET", "/projects/p-1/operations/x", 200, { operation })).toEqual([]);
    expect(contract.check("GET", "/projects/p-1/operations/x", 200, { operation: { ...operation, stauts: "finished" } })).not.toEqual([]);
    expect(contract.check("GET", "/projects/p-1/operations/x", 200, { operation: { ...operation, status: undefined } })).not.toEqual([]);
    expect(contract.check("POST", "/projects", 200, {})).not.toEqual([]);
    expect(contract.check("GET", "/projects/p-1", 404, { message: "project p-1 not found" })).not.toEqual([]);
  });
});
