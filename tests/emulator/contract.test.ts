import type { RunningEmulator } from "../../emulator/index";
import {
  type CheckedClient,
  checkedClient,
  control,
  failureOf,
  settle,
  sharedContract,
  startTestEmulator,
} from "./support/harness";

/** Every route the emulator serves; the story below must exercise each one. */
const ROUTES = [
  "POST /projects",
  "GET /projects",
  "GET /projects/{project_id}",
  "PATCH /projects/{project_id}",
  "DELETE /projects/{project_id}",
  "GET /projects/{project_id}/operations",
  "GET /projects/{project_id}/operations/{operation_id}",
  "POST /projects/{project_id}/branches",
  "GET /projects/{project_id}/branches",
  "GET /projects/{project_id}/branches/{branch_id}",
  "PATCH /projects/{project_id}/branches/{branch_id}",
  "DELETE /projects/{project_id}/branches/{branch_id}",
  "POST /projects/{project_id}/branches/{branch_id}/restore",
  "GET /projects/{project_id}/endpoints",
  "GET /projects/{project_id}/endpoints/{endpoint_id}",
  "PATCH /projects/{project_id}/endpoints/{endpoint_id}",
  "GET /projects/{project_id}/connection_uri",
  "GET /consumption_history/projects",
];

/** The routes Neon's CLI (neonctl) needs beyond the fleet's own; the second story exercises each one. */
const BRANCH = "/projects/{project_id}/branches/{branch_id}";
const ENDPOINT = "/projects/{project_id}/endpoints/{endpoint_id}";
const CLI_ROUTES = [
  "GET /users/me",
  "GET /users/me/organizations",
  "GET /organizations/{org_id}",
  "GET /regions",
  "GET /projects/shared",
  "GET /projects/{project_id}/branches/count",
  `POST ${BRANCH}/set_as_default`,
  `GET ${BRANCH}/endpoints`,
  "POST /projects/{project_id}/endpoints",
  `DELETE ${ENDPOINT}`,
  `POST ${ENDPOINT}/start`,
  `POST ${ENDPOINT}/suspend`,
  `POST ${ENDPOINT}/restart`,
  `GET ${BRANCH}/databases`,
  `POST ${BRANCH}/databases`,
  `GET ${BRANCH}/databases/{database_name}`,
  `PATCH ${BRANCH}/databases/{database_name}`,
  `DELETE ${BRANCH}/databases/{database_name}`,
  `GET ${BRANCH}/roles`,
  `POST ${BRANCH}/roles`,
  `GET ${BRANCH}/roles/{role_name}`,
  `DELETE ${BRANCH}/roles/{role_name}`,
  `GET ${BRANCH}/roles/{role_name}/reveal_password`,
  `POST ${BRANCH}/roles/{role_name}/reset_password`,
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
        default_endpoint_settings: {
          autoscaling_limit_min_cu: 0.25,
          autoscaling_limit_max_cu: 2,
          suspend_timeout_seconds: 300,
        },
      },
    });
    expect(created.status).toBe(201);
    const projectId = created.data.project.id;
    expect(projectId).toMatch(/^[a-z]+-[a-z]+-\d{8}$/);
    expect(created.data.branch.name).toBe("main");
    expect(created.data.roles.map((r) => r.name)).toEqual(["neondb_owner"]);
    expect(created.data.databases.map((d) => d.name)).toEqual(["neondb"]);
    expect(created.data.endpoints[0]).toMatchObject({
      type: "read_write",
      autoscaling_limit_max_cu: 2,
      suspend_timeout_seconds: 300,
    });
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
    const patched = await api.updateProject(projectId, {
      project: { settings: { quota: { compute_time_seconds: 0 } } },
    });
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
    expect((await api.listProjectBranches({ projectId })).data.branches.map((b) => b.name)).toEqual([
      "main",
      "feature-login",
    ]);
    expect((await api.getProjectBranch(projectId, branchId)).data.branch.current_state).toBe("ready");
    const renamed = await api.updateProjectBranch(projectId, branchId, {
      branch: { name: "feature-signup", expires_at: null },
    });
    expect(renamed.data.branch.expires_at).toBeUndefined();
    const restored = await api.restoreProjectBranch(projectId, branchId, { source_branch_id: mainId });
    expect(restored.data.branch.last_reset_at).toBeDefined();
    await settle(api, projectId);

    expect((await api.listProjectEndpoints(projectId)).data.endpoints).toHaveLength(2);
    expect((await api.getProjectEndpoint(projectId, endpointId)).data.endpoint.branch_id).toBe(mainId);
    const resized = await api.updateProjectEndpoint(projectId, endpointId, {
      endpoint: { autoscaling_limit_max_cu: 4 },
    });
    expect(resized.data.operations.map((op) => op.action)).toEqual(["apply_config"]);
    await settle(api, projectId);

    const direct = await api.getConnectionUri({ projectId, database_name: "neondb", role_name: "neondb_owner" });
    const pooled = await api.getConnectionUri({
      projectId,
      branch_id: branchId,
      database_name: "neondb",
      role_name: "neondb_owner",
      pooled: true,
    });
    expect(direct.data.uri).toContain(`@${endpointId}.eu-central-1.aws.neon.tech/`);
    expect(pooled.data.uri).toMatch(
      /@ep-[a-z]+-[a-z]+-\d{8}-pooler\.eu-central-1\.aws\.neon\.tech\/neondb\?sslmode=require$/,
    );

    await control(emulator, "POST", "consumption", {
      projectId,
      metrics: { compute_time_seconds: 7200, written_data_bytes: 1024 },
    });
    const usage = await api.getConsumptionHistoryPerProject({
      project_ids: [projectId],
      from: "2026-11-01T00:00:00Z",
      to: "2026-11-25T00:00:00Z",
      granularity: "monthly" as never,
    });
    expect(usage.data.projects[0].periods[0].consumption[0]).toMatchObject({
      compute_time_seconds: 7200,
      written_data_bytes: 1024,
    });

    expect((await failureOf(api.getProject("no-such-project-00000000"))).status).toBe(404);
    expect(
      (
        await failureOf(
          api.updateProjectEndpoint(projectId, endpointId, { endpoint: { autoscaling_limit_min_cu: 60 } }),
        )
      ).status,
    ).toBe(400);
    await api.updateProjectEndpoint(projectId, endpointId, { endpoint: { suspend_timeout_seconds: -1 } });
    expect(
      (await failureOf(api.updateProjectEndpoint(projectId, endpointId, { endpoint: { suspend_timeout_seconds: 60 } })))
        .status,
    ).toBe(423);
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

  it("answers the routes Neon's CLI uses (account, endpoints, databases, roles) as documented", async () => {
    const cli = await startTestEmulator();
    try {
      const client = checkedClient(cli);
      const { api } = client;
      const user = (await api.getCurrentUserInfo()).data;
      expect(user).toMatchObject({ email: "emulator@neon-fleet.invalid", projects_limit: 1000 });
      expect(user.max_autoscaling_limit).toBe(56);
      const regions = (await api.getActiveRegions({})).data.regions;
      expect(regions.filter((r) => r.default).map((r) => r.region_id)).toEqual(["aws-us-east-2"]);
      expect(regions.map((r) => r.region_id)).toContain("aws-eu-central-1");
      expect((await api.listSharedProjects({})).data.projects).toEqual([]);

      const tenant = await api.createProject({ project: { name: "tenant-cli" } });
      const other = await api.createProject({ project: { name: "tenant-other-org", org_id: "org-acme-1" } });
      const projectId = tenant.data.project.id;
      const mainId = tenant.data.branch.id;
      const orgs = (await api.getCurrentUserOrganizations()).data.organizations;
      expect(orgs.map((o) => o.id)).toEqual(["org-emulator-default", "org-acme-1"]);
      expect((await api.getOrganization("org-acme-1")).data).toMatchObject({ id: "org-acme-1", plan: "scale" });
      expect((await failureOf(api.getOrganization("org-nowhere"))).status).toBe(404);
      const idsInOrg = async (orgId: string) =>
        (await api.listProjects({ org_id: orgId })).data.projects.map((p) => p.id);
      expect(await idsInOrg("org-emulator-default")).toEqual([projectId]);
      expect(await idsInOrg("org-acme-1")).toEqual([other.data.project.id]);
      await settle(api, projectId);

      const dev = (await api.createProjectBranch(projectId, { branch: { name: "dev" } })).data.branch;
      expect((await api.countProjectBranches({ projectId })).data.count).toBe(2);
      expect((await api.listProjectBranchEndpoints(projectId, dev.id)).data.endpoints).toEqual([]);
      await settle(api, projectId);
      const readWrite = { endpoint: { branch_id: dev.id, type: "read_write" as never } };
      const endpoint = await api.createProjectEndpoint(projectId, readWrite);
      expect(endpoint.status).toBe(201);
      const endpointId = endpoint.data.endpoint.id;
      await settle(api, projectId);
      expect((await failureOf(api.createProjectEndpoint(projectId, readWrite))).status).toBe(409);
      expect((await api.suspendProjectEndpoint(projectId, endpointId)).data.endpoint.current_state).toBe("idle");
      await settle(api, projectId);
      const started = await api.startProjectEndpoint(projectId, endpointId);
      expect(started.data.operations.map((op) => op.action)).toEqual(["start_compute"]);
      await settle(api, projectId);
      expect((await api.restartProjectEndpoint(projectId, endpointId)).data.endpoint.id).toBe(endpointId);
      await settle(api, projectId);
      const devEndpoints = (await api.listProjectBranchEndpoints(projectId, dev.id)).data.endpoints;
      expect(devEndpoints.map((e) => e.current_state)).toEqual(["active"]);

      const role = await api.createProjectBranchRole(projectId, dev.id, { role: { name: "app" } });
      expect(role.status).toBe(201);
      expect(role.data.operations.map((op) => op.action)).toEqual(["apply_config"]);
      await settle(api, projectId);
      const again = await failureOf(api.createProjectBranchRole(projectId, dev.id, { role: { name: "app" } }));
      expect(again.status).toBe(409);
      const roleNames = async (branchId: string) =>
        (await api.listProjectBranchRoles(projectId, branchId)).data.roles.map((r) => r.name);
      expect(await roleNames(dev.id)).toEqual(["neondb_owner", "app"]);
      expect((await api.getProjectBranchRole(projectId, dev.id, "app")).data.role.password).toBeUndefined();
      const passwordOf = async (name: string) =>
        (await api.getProjectBranchRolePassword(projectId, dev.id, name)).data.password;
      expect(await passwordOf("app")).toBe(role.data.role.password);
      const reset = await api.resetProjectBranchRolePassword(projectId, dev.id, "app");
      expect(reset.data.role.password).toMatch(/^npg_\w{12}$/);
      expect(reset.data.role.password).not.toBe(role.data.role.password);
      expect(await passwordOf("app")).toBe(reset.data.role.password);
      expect((await failureOf(passwordOf("nobody"))).status).toBe(404);
      await settle(api, projectId);

      const createDatabase = (name: string, owner: string) =>
        api.createProjectBranchDatabase(projectId, dev.id, { database: { name, owner_name: owner } });
      const database = await createDatabase("appdb", "app");
      expect(database.status).toBe(201);
      expect(database.data.database).toMatchObject({ id: 2, name: "appdb", owner_name: "app" });
      await settle(api, projectId);
      expect((await failureOf(createDatabase("appdb", "app"))).status).toBe(409);
      expect((await failureOf(createDatabase("x", "nobody"))).status).toBe(404);
      expect((await api.getProjectBranchDatabase(projectId, dev.id, "appdb")).data.database.owner_name).toBe("app");
      const rename = { database: { name: "appdb2" } };
      const renamed = await api.updateProjectBranchDatabase(projectId, dev.id, "appdb", rename);
      expect(renamed.data.database.name).toBe("appdb2");
      await settle(api, projectId);
      expect((await failureOf(api.deleteProjectBranchRole(projectId, dev.id, "app"))).status).toBe(400);
      expect((await api.deleteProjectBranchDatabase(projectId, dev.id, "appdb2")).data.database.name).toBe("appdb2");
      await settle(api, projectId);
      expect((await api.deleteProjectBranchRole(projectId, dev.id, "app")).data.role.name).toBe("app");
      await settle(api, projectId);
      const databases = (await api.listProjectBranchDatabases(projectId, dev.id)).data.databases;
      expect(databases.map((d) => d.name)).toEqual(["neondb"]);
      expect(await roleNames(mainId)).toEqual(["neondb_owner"]);

      expect((await api.setDefaultProjectBranch(projectId, dev.id)).data.branch.default).toBe(true);
      const branches = (await api.listProjectBranches({ projectId })).data.branches;
      expect(branches.filter((b) => b.default).map((b) => b.id)).toEqual([dev.id]);
      expect((await api.deleteProjectEndpoint(projectId, endpointId)).data.endpoint.id).toBe(endpointId);
      await settle(api, projectId);
      expect((await api.listProjectEndpoints(projectId)).data.endpoints.map((e) => e.branch_id)).toEqual([mainId]);

      const schemaPath = `/projects/${projectId}/branches/${dev.id}/schema`;
      const unserved = await failureOf(api.instance.get(schemaPath));
      expect(unserved.status).toBe(404);
      expect(unserved.data).toMatchObject({ code: "NOT_FOUND", message: `no route GET ${schemaPath}` });

      expect([...client.answered()]).toEqual(expect.arrayContaining(CLI_ROUTES));
      expect(client.violations()).toEqual([]);
    } finally {
      await cli.close();
    }
  });

  it("transfers projects between organizations as documented: in place, 406 over the limit, 403 for an org key", async () => {
    const orgs = await startTestEmulator({ orgLimits: { "org-paid": 2 } });
    const scoped = await startTestEmulator({ orgKey: "org-free" });
    try {
      const client = checkedClient(orgs);
      const { api } = client;
      const create = async (name: string) =>
        (await api.createProject({ project: { name, org_id: "org-free" } })).data.project.id;
      const [a, b, c] = [await create("tenant-a"), await create("tenant-b"), await create("tenant-c")];
      const idsIn = async (orgId: string) =>
        (await api.listProjects({ org_id: orgId, limit: 400 })).data.projects.map((p) => p.id).sort();
      const uriBefore = (
        await api.getConnectionUri({ projectId: a, role_name: "neondb_owner", database_name: "neondb" })
      ).data.uri;

      const moved = await api.transferProjectsFromOrgToOrg("org-free", {
        destination_org_id: "org-paid",
        project_ids: [a, b],
      });
      expect(moved.status).toBe(200);
      expect(await idsIn("org-paid")).toEqual([a, b].sort());
      expect(await idsIn("org-free")).toEqual([c]);
      expect((await api.getProject(a)).data.project.org_id).toBe("org-paid");
      const uriAfter = (
        await api.getConnectionUri({ projectId: a, role_name: "neondb_owner", database_name: "neondb" })
      ).data.uri;
      expect(uriAfter).toBe(uriBefore);

      const full = await failureOf(
        api.transferProjectsFromOrgToOrg("org-free", { destination_org_id: "org-paid", project_ids: [c] }),
      );
      expect(full.status).toBe(406);
      expect(full.data).toEqual({ limits: [{ name: "projects_count", expected: "2", actual: "3" }] });
      expect(await idsIn("org-free")).toEqual([c]);
      const overCreate = await failureOf(api.createProject({ project: { name: "tenant-d", org_id: "org-paid" } }));
      expect(overCreate.status).toBe(422);
      const notThere = await failureOf(
        api.transferProjectsFromOrgToOrg("org-paid", { destination_org_id: "org-free", project_ids: [c] }),
      );
      expect(notThere.status).toBe(404);
      orgs.setOrgLimit("org-paid", undefined);
      await api.transferProjectsFromOrgToOrg("org-free", { destination_org_id: "org-paid", project_ids: [c] });
      expect(await idsIn("org-paid")).toEqual([a, b, c].sort());

      const scopedClient = checkedClient(scoped);
      const own = (await scopedClient.api.createProject({ project: { name: "tenant-e", org_id: "org-free" } })).data
        .project.id;
      const refused = await failureOf(
        scopedClient.api.transferProjectsFromOrgToOrg("org-free", {
          destination_org_id: "org-paid",
          project_ids: [own],
        }),
      );
      expect(refused.status).toBe(403);
      expect(refused.data.message).toMatch(/personal API key/);

      expect([...client.answered()]).toContain("POST /organizations/{source_org_id}/projects/transfer");
      expect(orgs.stats().requests.byRoute["POST /organizations/{source_org_id}/projects/transfer"]).toBe(4);
      expect([...client.violations(), ...scopedClient.violations()]).toEqual([]);
    } finally {
      await orgs.close();
      await scoped.close();
    }
  });

  it("would catch an answer with an invented field, a missing required field or an undeclared status", () => {
    const contract = sharedContract();
    const operation = {
      id: "8c1b6d3e-1f2a-4b5c-9d8e-7f6a5b4c3d2e",
      project_id: "p-1",
      action: "apply_config",
      status: "finished",
      failures_count: 0,
      created_at: "2026-11-25T00:00:00Z",
      updated_at: "2026-11-25T00:00:00Z",
      total_duration_ms: 1,
    };
    expect(contract.check("GET", "/projects/p-1/operations/x", 200, { operation })).toEqual([]);
    expect(
      contract.check("GET", "/projects/p-1/operations/x", 200, { operation: { ...operation, stauts: "finished" } }),
    ).not.toEqual([]);
    expect(
      contract.check("GET", "/projects/p-1/operations/x", 200, { operation: { ...operation, status: undefined } }),
    ).not.toEqual([]);
    expect(contract.check("POST", "/projects", 200, {})).not.toEqual([]);
    expect(contract.check("GET", "/projects/p-1", 404, { message: "project p-1 not found" })).not.toEqual([]);
  });
});
