import type { RunningEmulator } from "../../emulator";
import { neon } from "../../provider/neon";
import { provider, type TenantProjectInputs, type TenantProjectOutputs } from "../../provider/resources/tenantProject";
import { mutations, stackConfig, startUnitEmulator } from "./providerRig";

/**
 * TenantProject with branch placement: its methods called as the engine calls them,
 * against the in-process emulator.
 */
const UNLIMITED = {
  active_time_seconds: 0,
  compute_time_seconds: 0,
  written_data_bytes: 0,
  data_transfer_bytes: 0,
  logical_size_bytes: 2 ** 29,
};
const FREE = { autoscaling_limit_min_cu: 0.25, autoscaling_limit_max_cu: 0.25, suspend_timeout_seconds: 300 };

function branchInputs(
  tenantId: string,
  templates: string[],
  overrides: Partial<TenantProjectInputs> = {},
): TenantProjectInputs {
  return {
    tenantId,
    projectName: `tenant-${tenantId}`,
    tier: "free",
    residency: "us",
    region: "aws-us-east-2",
    pgVersion: 17,
    onRemove: "delete",
    quota: UNLIMITED,
    endpointSettings: FREE,
    placement: "branch",
    templates,
    branchesPerProject: 2,
    ...overrides,
  };
}

describe("a tenant placed as a branch", () => {
  let emulator: RunningEmulator;
  let templates: string[];

  beforeAll(async () => {
    emulator = await startUnitEmulator();
    await provider.configure!(stackConfig(emulator));
    templates = [];
    for (const n of [1, 2]) {
      const { project } = await neon().createProject({ name: `tenant-template-free-aws-us-east-2-${n}` }, {});
      templates.push(project.id);
    }
  });
  afterAll(async () => emulator.close());

  it("is created with one request, its endpoint on tier, in the first template with room", async () => {
    const outs: TenantProjectOutputs[] = [];
    for (const id of ["b1", "b2", "b3"]) {
      emulator.resetStats();
      const created = await provider.create!(branchInputs(id, templates));
      expect(mutations(emulator)).toEqual({ "POST /projects/{project_id}/branches": 1 });
      outs.push(created.outs as TenantProjectOutputs);
    }
    expect(outs.map((o) => o.templateProjectId)).toEqual([templates[0], templates[0], templates[1]]);
    expect(outs[0]!.pooledConnectionUri).toContain("-pooler");
    const endpoints = await neon().listEndpoints(templates[0]!, {});
    const own = endpoints.find((e) => e.id === outs[0]!.endpointId);
    expect([own?.autoscaling_limit_max_cu, own?.suspend_timeout_seconds]).toEqual([0.25, 300]);
  });

  it("refuses a change to project placement offline, keeping every recorded input", async () => {
    const old = branchInputs("b9", templates);
    const planned = {
      ...old,
      tier: "pro",
      placement: "project" as const,
      templates: undefined,
      branchesPerProject: undefined,
    };

    const checked = await provider.check!(old, planned);

    expect(checked.failures ?? []).toEqual([]);
    expect(checked.inputs).toMatchObject({ placement: "branch", tier: "free", templates });
    expect(checked.inputs?.refusedChange).toMatch(
      /^tenant b9: changing placement "branch of a free template project in aws-us-east-2" -> "own project/,
    );
  });

  it("refuses a change of region the same way", async () => {
    const old = branchInputs("b9", templates);
    const checked = await provider.check!(old, { ...old, region: "aws-us-east-1" });
    expect(checked.inputs).toMatchObject({ region: "aws-us-east-2" });
    expect(checked.inputs?.refusedChange).toMatch(/us-east-2" -> "branch of a free template project in aws-us-east-1"/);
  });

  it("a re-tier is an update patching its endpoint; a new template project in the series is no change", async () => {
    const { id, outs } = await provider.create!(branchInputs("r1", templates, { branchesPerProject: 10 }));
    const olds = outs as TenantProjectOutputs;
    const hobby = { autoscaling_limit_min_cu: 0.25, autoscaling_limit_max_cu: 1, suspend_timeout_seconds: 600 };
    const grownSeries = branchInputs("r1", [...templates, "another"], { branchesPerProject: 10 });
    expect((await provider.diff!(id, olds, grownSeries)).changes).toBe(false);
    const news = branchInputs("r1", templates, { tier: "hobby", endpointSettings: hobby, branchesPerProject: 10 });
    expect(await provider.diff!(id, olds, news)).toMatchObject({ changes: true, replaces: [] });

    emulator.resetStats();
    await provider.update!(id, olds, news);

    expect(mutations(emulator)).toEqual({ "PATCH /projects/{project_id}/endpoints/{endpoint_id}": 1 });
    const own = (await neon().listEndpoints(olds.templateProjectId!, {})).find((e) => e.id === olds.endpointId);
    expect([own?.autoscaling_limit_max_cu, own?.suspend_timeout_seconds]).toEqual([1, 600]);
  });

  it("onRemove: delete deletes the branch, which then reads as gone", async () => {
    const { id, outs } = await provider.create!(branchInputs("gone1", templates, { branchesPerProject: 10 }));
    const olds = outs as TenantProjectOutputs;
    expect((await provider.read!(id, olds)).id).toBe(id);

    await provider.delete!(id, olds);

    const branches = await neon().listBranches(olds.templateProjectId!, {});
    expect(branches.some((b) => b.name === "gone1")).toBe(false);
    expect((await provider.read!(id, olds)).id).toBe("");
  });
});
