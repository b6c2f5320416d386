import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator } from "../../emulator/index";
import { EmulatorError } from "../../emulator/errors";
import { checkedClient, control, settle, startTestEmulator } from "./support/harness";

describe("--state keeps the emulated Neon across restarts", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "neon-fleet-state-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("brings back projects, branches, endpoints, roles, databases, settings, usage and list order after a restart", async () => {
    const stateFile = join(dir, "neon.json");
    const first = await startTestEmulator({ stateFile });
    const before = checkedClient(first);
    const created = await before.api.createProject({
      project: {
        name: "tenant-kept",
        region_id: "aws-eu-central-1",
        settings: { quota: { logical_size_bytes: 10_737_418_240 } },
      },
    });
    const projectId = created.data.project.id;
    await settle(before.api, projectId);
    const branch = await before.api.createProjectBranch(projectId, {
      branch: { name: "feature-x" },
      endpoints: [{ type: "read_write" as never }],
    });
    const branchId = branch.data.branch.id;
    await settle(before.api, projectId);
    const role = (await before.api.createProjectBranchRole(projectId, branchId, { role: { name: "app" } })).data.role;
    await settle(before.api, projectId);
    await before.api.createProjectBranchDatabase(projectId, branchId, {
      database: { name: "appdb", owner_name: "app" },
    });
    await control(first, "POST", "consumption", { projectId, metrics: { compute_time_seconds: 42 } });
    const second = await before.api.createProject({ project: { name: "tenant-later" } });
    const uriBefore = (
      await before.api.getConnectionUri({ projectId, database_name: "neondb", role_name: "neondb_owner" })
    ).data.uri;
    await first.close();
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(stateFile, "utf8")).projects).toHaveLength(2);

    const restarted = await startTestEmulator({ stateFile });
    const after = checkedClient(restarted);
    const project = (await after.api.getProject(projectId)).data.project;
    expect(project).toMatchObject({ name: "tenant-kept", region_id: "aws-eu-central-1", compute_time_seconds: 42 });
    expect(project.settings?.quota?.logical_size_bytes).toBe(10_737_418_240);
    expect((await after.api.getProjectBranch(projectId, branch.data.branch.id)).data.branch.current_state).toBe(
      "ready",
    );
    expect((await after.api.listProjectEndpoints(projectId)).data.endpoints).toHaveLength(2);
    expect((await after.api.getProjectBranchRolePassword(projectId, branchId, "app")).data.password).toBe(
      role.password,
    );
    const databases = (await after.api.listProjectBranchDatabases(projectId, branchId)).data.databases;
    expect(databases.map((d) => [d.name, d.owner_name])).toEqual([
      ["neondb", "neondb_owner"],
      ["appdb", "app"],
    ]);
    expect(
      (await after.api.getConnectionUri({ projectId, database_name: "neondb", role_name: "neondb_owner" })).data.uri,
    ).toBe(uriBefore);
    const page = await after.api.listProjects({ limit: 1 });
    expect(page.data.projects[0].id).toBe(projectId);
    const next = await after.api.listProjects({ limit: 1, cursor: page.data.pagination?.cursor });
    expect(next.data.projects[0].id).toBe(second.data.project.id);
    expect(before.violations().concat(after.violations())).toEqual([]);
    await restarted.close();
  });

  it("refuses a corrupt state file with a message saying what to do", async () => {
    const stateFile = join(dir, "corrupt.json");
    writeFileSync(stateFile, "{ not json");
    await expect(startEmulator({ stateFile })).rejects.toThrow(EmulatorError);
    await expect(startEmulator({ stateFile })).rejects.toThrow(/move it away/);
  });
});
