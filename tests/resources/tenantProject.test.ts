import type { RunningEmulator } from "../../emulator";
import { neon } from "../../provider/neon";
import { provider, type TenantProjectInputs, type TenantProjectOutputs } from "../../provider/resources/tenantProject";
import { mutations, stackConfig, startUnitEmulator, tenantInputs } from "./providerRig";

/**
 * TenantProject's methods called the way the engine calls them (check with old inputs, diff with old outputs,
 * create/update/delete), against the in-process emulator. Each test uses its own tenant: the provider keeps
 * per-process memory (projects held this run), as it does in one Pulumi run.
 */
const inputs = tenantInputs;

describe("TenantProject provider", () => {
  let emulator: RunningEmulator;
  const liveProject = (id: string) => neon().getProject(id, {});
  /** Creates the tenant through the provider, as a first `up` would; returns its id and outputs. */
  const created = async (tenantId: string, overrides: Partial<TenantProjectInputs> = {}) => {
    const result = await provider.create!(inputs(tenantId, overrides));
    return { id: result.id, outs: result.outs as TenantProjectOutputs };
  };
  const configure = (allowReplace?: boolean) => {
    const values: Record<string, string> = {};
    if (allowReplace !== undefined) values["neon-fleet:allowReplace"] = String(allowReplace);
    return provider.configure!(stackConfig(emulator, values));
  };
  /** What the provider's check makes of a plan change from `olds` to `news`. */
  const checked = async (olds: TenantProjectInputs, news: TenantProjectInputs) =>
    (await provider.check!(olds, news)).inputs as TenantProjectInputs;

  beforeAll(async () => {
    emulator = await startUnitEmulator();
    await configure();
  });
  afterAll(async () => emulator.close());
  afterEach(async () => configure(false));

  it("a refused region change keeps the old region, records why, diffs as an update that touches nothing", async () => {
    const { id, outs } = await created("acme");
    const result = await provider.check!(inputs("acme"), inputs("acme", { region: "aws-us-east-1" }));
    const refused = { inputs: result.inputs as TenantProjectInputs };

    expect(result.failures ?? []).toEqual([]);
    expect(refused.inputs.region).toBe("aws-us-east-2");
    expect(refused.inputs.refusedChange).toMatch(/^tenant acme: changing region "aws-us-east-2" -> "aws-us-east-1" /);
    expect(refused.inputs.refusedChange).toContain("`pulumi config set neon-fleet:allowReplace true`");
    const diff = await provider.diff!(id, outs, refused.inputs as TenantProjectInputs);
    expect(diff).toMatchObject({ changes: true, replaces: [] });

    emulator.resetStats();
    const updated = await provider.update!(id, outs, refused.inputs as TenantProjectInputs);
    expect(mutations(emulator)).toEqual({});
    expect(updated.outs).toMatchObject({ region: "aws-us-east-2", refusedChange: refused.inputs.refusedChange });
    expect(await liveProject(id)).toMatchObject({ id, region_id: "aws-us-east-2", name: "tenant-acme" });
  });

  it("a refused change stays refused on the next run, and reverting the plan clears it with an update", async () => {
    const { id, outs } = await created("hooli");
    const refused = await checked(inputs("hooli"), inputs("hooli", { pgVersion: 16 }));
    const recorded = (await provider.update!(id, outs, refused)).outs as TenantProjectOutputs;

    const again = await checked(refused, inputs("hooli", { pgVersion: 16 }));
    expect(again).toMatchObject({ pgVersion: 17, refusedChange: expect.stringContaining("pgVersion 17 -> 16") });
    const reverted = await checked(refused, inputs("hooli"));
    expect(reverted.refusedChange).toBeUndefined();
    expect(await provider.diff!(id, recorded, reverted)).toMatchObject({ changes: true, replaces: [] });
    const cleared = (await provider.update!(id, recorded, reverted)).outs as TenantProjectOutputs;
    expect(cleared.refusedChange).toBeUndefined();
    expect(await provider.diff!(id, cleared, reverted)).toMatchObject({ changes: false });
  });

  it("diff never throws on an org or pgVersion drifted in Neon (refresh diffs after reads): an update", async () => {
    const { id, outs } = await created("initech");
    const drifted: TenantProjectOutputs = { ...outs, pgVersion: 16, org: "org-elsewhere-1" };

    const diff = await provider.diff!(id, drifted, inputs("initech", { org: "org-plan-2" }));

    expect(diff).toMatchObject({ changes: true, replaces: [] });
  });

  it("with allowReplace a move replaces create-first: the old project set aside, retained by onRemove", async () => {
    const { id: oldId, outs } = await created("globex");
    await configure(true);
    const moved = await checked(inputs("globex"), inputs("globex", { region: "aws-us-east-1" }));
    expect(moved).toMatchObject({ region: "aws-us-east-1", replacing: { region: "aws-us-east-2", pgVersion: 17 } });
    const diff = await provider.diff!(oldId, outs, moved);
    expect(diff).toMatchObject({ changes: true, replaces: ["region"], deleteBeforeReplace: false });

    const replacement = await provider.create!(moved);
    await provider.delete!(oldId, outs);

    expect(replacement.id).not.toBe(oldId);
    expect(await liveProject(replacement.id)).toMatchObject({ name: "tenant-globex", region_id: "aws-us-east-1" });
    const aside = { name: `${oldId} (was tenant-globex)`, region_id: "aws-us-east-2" };
    expect(await liveProject(oldId)).toMatchObject(aside);
  });

  it("with allowReplace and onRemove: delete, the old project is deleted after its replacement exists", async () => {
    const { id: oldId, outs } = await created("umbrella", { onRemove: "delete" });
    await configure(true);
    const deletable = { onRemove: "delete" } as const;
    const upgraded = await checked(inputs("umbrella", deletable), inputs("umbrella", { ...deletable, pgVersion: 16 }));

    const replacement = await provider.create!(upgraded);
    await provider.delete!(oldId, outs);

    expect(await liveProject(replacement.id)).toMatchObject({ name: "tenant-umbrella", pg_version: 16 });
    expect(await liveProject(oldId)).toBeUndefined();
  });

  it("the create of a replacement run again (interrupted run) adopts the new project, sets nothing aside", async () => {
    const { id: oldId } = await created("soylent");
    await configure(true);
    const moved = await checked(inputs("soylent"), inputs("soylent", { region: "aws-us-east-1" }));
    const first = await provider.create!(moved);

    emulator.resetStats();
    const again = await provider.create!(moved);

    expect(again.id).toBe(first.id);
    expect(mutations(emulator)).toEqual({});
    expect(await liveProject(oldId)).toMatchObject({ name: `${oldId} (was tenant-soylent)` });
  });

  it("a pending replacement diffed again (its old project deleted by an interrupted run) just creates the new one", async () => {
    const { id: oldId, outs } = await created("gringotts");
    await neon().deleteProject(oldId, {});
    await configure(true);
    const moved = await checked(inputs("gringotts"), inputs("gringotts", { pgVersion: 16 }));
    expect(await provider.diff!(oldId, outs, moved)).toMatchObject({ replaces: ["pgVersion"] });

    const replacement = await provider.create!(moved);

    expect(await liveProject(replacement.id)).toMatchObject({ name: "tenant-gringotts", pg_version: 16 });
  });

  it("a replace with no Diff (`up --replace`, tainted) adopts the same project; the old delete keeps it", async () => {
    const { id, outs } = await created("stark", { onRemove: "delete" });

    const replacement = await provider.create!(inputs("stark", { onRemove: "delete" }));
    emulator.resetStats();
    await provider.delete!(id, outs);

    expect(replacement.id).toBe(id);
    expect(mutations(emulator)).toEqual({});
    expect(await liveProject(id)).toMatchObject({ id, name: "tenant-stark" });
  });

  it("a stale allowReplace (e.g. left by refresh's Diff) never makes a delete destroy a retained project", async () => {
    const { id, outs } = await created("wayne");
    await configure(true);
    await provider.check!(inputs("wayne"), inputs("wayne", { region: "aws-us-east-1" }));
    await provider.diff!(id, { ...outs, region: "aws-us-east-1" }, inputs("wayne"));

    await provider.delete!(id, outs);

    expect(await liveProject(id)).toMatchObject({ id, name: "tenant-wayne" });
  });

  it("a removal with onRemove: delete deletes a project no resource of this run holds", async () => {
    const made = await neon().createProject({ name: "tenant-tyrell", region_id: "aws-us-east-2", pg_version: 17 }, {});
    const outs = {
      ...inputs("tyrell", { onRemove: "delete" }),
      projectId: made.project.id,
    } as unknown as TenantProjectOutputs;

    await provider.delete!(made.project.id, outs);

    expect(await liveProject(made.project.id)).toBeUndefined();
  });

  it("a removal with onRemove: delete of a tenant the plans still hold but this run did not register keeps it", async () => {
    const made = await neon().createProject(
      { name: "tenant-initech", region_id: "aws-eu-central-1", pg_version: 17 },
      {},
    );
    const outs = {
      ...inputs("initech", { onRemove: "delete" }),
      projectId: made.project.id,
    } as unknown as TenantProjectOutputs;

    emulator.resetStats();
    await provider.delete!(made.project.id, outs);

    expect(mutations(emulator)).toEqual({});
    expect(await liveProject(made.project.id)).toMatchObject({ id: made.project.id, name: "tenant-initech" });
  });

  it("a delete that cannot read the plans deletes nothing and says why in one line", async () => {
    const made = await neon().createProject({ name: "tenant-oscorp", region_id: "aws-us-east-2", pg_version: 17 }, {});
    const outs = {
      ...inputs("oscorp", { onRemove: "delete" }),
      projectId: made.project.id,
    } as unknown as TenantProjectOutputs;
    await provider.configure!(stackConfig(emulator, { "neon-fleet:plans": "/nonexistent/plans" }));

    const failure = (await provider.delete!(made.project.id, outs).then(
      () => new Error("deleted"),
      (e: unknown) => e,
    )) as Error;

    expect(failure.message).toMatch(
      /^cannot read the plans in \/nonexistent\/plans .* nothing was deleted: fix the plans/,
    );
    expect(failure.message).not.toContain("\n");
    expect(await liveProject(made.project.id)).toMatchObject({ id: made.project.id });
  });

  it("a new tenant whose project by name is in another region takes it over there, the move refused", async () => {
    const own = await neon().createProject(
      { name: "tenant-cyberdyne", region_id: "aws-eu-central-1", pg_version: 17 },
      {},
    );

    emulator.resetStats();
    const result = await provider.create!(inputs("cyberdyne"));

    expect(mutations(emulator)).toEqual({});
    expect(result.id).toBe(own.project.id);
    const outs = result.outs as TenantProjectOutputs;
    expect(outs).toMatchObject({ region: "aws-eu-central-1", regionId: "aws-eu-central-1" });
    expect(outs.refusedChange).toMatch(
      /^tenant cyberdyne: changing region "aws-eu-central-1" -> "aws-us-east-2" needs/,
    );
    // The next run: Check sees the old inputs (the plan's region), Diff sees the outputs (where the project is),
    // so the move shows as a change that is no replace, and the update refuses it again, changing nothing.
    const again = await checked(inputs("cyberdyne"), inputs("cyberdyne"));
    expect(await provider.diff!(result.id, outs, again)).toMatchObject({ changes: true, replaces: [] });
    emulator.resetStats();
    const updated = (await provider.update!(result.id, outs, again)).outs as TenantProjectOutputs;
    expect(mutations(emulator)).toEqual({});
    expect(updated).toMatchObject({ projectId: own.project.id, region: "aws-eu-central-1" });
    expect(updated.refusedChange).toBe(
      'tenant cyberdyne: project in Neon has region "aws-eu-central-1" (plan: "aws-us-east-2"); it is left as it is: make the plan match Neon',
    );
  });

  it("with allowReplace, a new tenant's project by name in another region is set aside and a new one created", async () => {
    const own = await neon().createProject(
      { name: "tenant-pied-piper", region_id: "aws-eu-central-1", pg_version: 17 },
      {},
    );
    await configure(true);

    const result = await provider.create!(inputs("pied-piper"));

    expect(result.id).not.toBe(own.project.id);
    expect(await liveProject(own.project.id)).toMatchObject({ name: `${own.project.id} (was tenant-pied-piper)` });
    expect(await liveProject(result.id)).toMatchObject({ name: "tenant-pied-piper", region_id: "aws-us-east-2" });
  });
});
