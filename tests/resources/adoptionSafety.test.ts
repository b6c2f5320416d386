import type { RunningEmulator } from "../../emulator";
import { neon } from "../../provider/neon";
import { provider, type TenantProjectInputs, type TenantProjectOutputs } from "../../provider/resources/tenantProject";
import { mutations, stackConfig, startUnitEmulator, tenantInputs } from "./providerRig";

/**
 * What a TenantProject may take over at create, against the in-process emulator: never a project another tenant (or
 * the dev project) holds, never one of another organization. The plans are the unit fixture (tenants acme, globex,
 * initech; dev project fleet-dev). Each test uses its own tenants: the provider keeps per-process memory.
 */
const inputs = tenantInputs;

/** The message a promise rejects with, or a marker when it resolves. */
async function failureOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "(it succeeded)",
    (err: unknown) => (err as Error).message,
  );
}

describe("TenantProject adoption safety", () => {
  let emulator: RunningEmulator;
  const liveProject = (id: string) => neon().getProject(id, {});
  const made = async (name: string, org?: string) =>
    (await neon().createProject({ name, region_id: "aws-us-east-2", pg_version: 17, ...(org && { org_id: org }) }, {}))
      .project;

  beforeAll(async () => {
    emulator = await startUnitEmulator();
    await provider.configure!(stackConfig(emulator));
  });
  afterAll(async () => emulator.close());

  it("adopt: of a project carrying another planned tenant's name is refused in one line, nothing changed", async () => {
    // The holder's resource is not seen by this process yet: the engine may run this create before registering it.
    const globex = await made("tenant-globex");

    emulator.resetStats();
    const failure = await failureOf(provider.create!(inputs("hooli", { adopt: globex.id })));

    expect(failure).toBe(
      `tenant hooli: project ${globex.id} (tenant-globex) is not adopted: it carries tenant globex's name, so that ` +
        "tenant holds it, and two tenants never share a project (deleting one would delete the other's database); " +
        "fix the adopt id in the tenant's plan, or remove adopt: to give the tenant a new project",
    );
    expect(mutations(emulator)).toEqual({});
    expect(await liveProject(globex.id)).toMatchObject({ name: "tenant-globex" });
  });

  it("adopt: of a project another resource of this stack manages (seen in its diff or create) is refused", async () => {
    const acme = await provider.create!(inputs("acme"));
    const second = await failureOf(provider.create!(inputs("hooli", { adopt: acme.id })));
    expect(second).toContain(`tenant hooli: project ${acme.id} (tenant-acme) is not adopted: tenant acme of this `);

    const legacy = await made("legacy-billing-db");
    const weyland = { ...inputs("weyland"), projectId: legacy.id } as unknown as TenantProjectOutputs;
    await provider.diff!(legacy.id, weyland, inputs("weyland"));

    const failure = await failureOf(provider.create!(inputs("yutani", { adopt: legacy.id })));

    expect(failure).toMatch(
      new RegExp(
        `^tenant yutani: project ${legacy.id} \\(legacy-billing-db\\) is not adopted: tenant weyland of this stack ` +
          "manages it, ",
      ),
    );
    expect(await liveProject(legacy.id)).toMatchObject({ name: "legacy-billing-db" });
  });

  it("adopt: of the dev project is refused, naming it", async () => {
    const dev = await made("fleet-dev");

    const failure = await failureOf(provider.create!(inputs("soylent", { adopt: dev.id })));

    expect(failure).toContain(`tenant soylent: project ${dev.id} (fleet-dev) is not adopted: it is the dev project`);
  });

  it("a removed tenant's delete (onRemove: delete) spares a project another tenant still holds", async () => {
    // A state from before shared projects were refused: two tenants on one project, one of them removed.
    const shared = await made("tenant-tyrell-shared");
    const holder = { ...inputs("tyrell"), projectId: shared.id } as unknown as TenantProjectOutputs;
    await provider.diff!(shared.id, holder, inputs("tyrell"));
    const removedPlan = inputs("sirius", { onRemove: "delete" });
    const removed = { ...removedPlan, projectId: shared.id } as unknown as TenantProjectOutputs;

    emulator.resetStats();
    await provider.delete!(shared.id, removed);

    expect(mutations(emulator)).toEqual({});
    expect(await liveProject(shared.id)).toMatchObject({ id: shared.id });
  });

  it("a same-named project in another organization is not adopted: the tenant gets a new one in its own", async () => {
    const foreign = await made("tenant-umbrella", "org-other-team");

    const result = await provider.create!(inputs("umbrella", { org: "org-fleet-one" }));

    expect(result.id).not.toBe(foreign.id);
    expect(await liveProject(result.id)).toMatchObject({ name: "tenant-umbrella", org_id: "org-fleet-one" });
    expect(await liveProject(foreign.id)).toMatchObject({ name: "tenant-umbrella", org_id: "org-other-team" });
    expect(result.outs).not.toHaveProperty("adopted");
  });

  it("adopt: of another organization's project is refused, naming both orgs and no destructive fix", async () => {
    const foreign = await made("their-analytics", "org-other-team");

    emulator.resetStats();
    const failure = await failureOf(provider.create!(inputs("initrode", { adopt: foreign.id, org: "org-fleet-one" })));

    expect(failure).toBe(
      `tenant initrode: adopt: project ${foreign.id} is in organization org-other-team, not in the tenant's ` +
        "organization org-fleet-one (its tier's org, else fleet.org); neon-fleet adopts only within the tenant's " +
        "organization: fix the adopt id, or transfer the project to org-fleet-one in Neon first",
    );
    expect(mutations(emulator)).toEqual({});
  });

  it("a refused move of an adopted tenant never advises allowReplace or deleting anything", async () => {
    const adopted = await made("orders-db");
    await provider.create!(inputs("massive", { adopt: adopted.id }));

    const moved = await provider.check!(
      inputs("massive", { adopt: adopted.id }),
      inputs("massive", { adopt: adopted.id, region: "aws-us-east-1" }),
    );

    const refusal = (moved.inputs as TenantProjectInputs).refusedChange ?? "";
    expect(refusal).toBe(
      'tenant massive: changing region "aws-us-east-2" -> "aws-us-east-1" needs a new Neon project (the tenant ' +
        "starts on an empty database); refused, the project is left as it is: revert the plan change (the tenant " +
        `adopted project ${adopted.id}, and neon-fleet never replaces a project adopted with adopt:)`,
    );
    expect(refusal).not.toMatch(/allowReplace|delete /);
  });

  it("allowReplace never replaces a tenant whose plan says adopt: (refused, saying to remove adopt:)", async () => {
    const adopted = await made("warehouse-db");
    const plan = inputs("vandelay", { adopt: adopted.id, onRemove: "delete" });
    const first = await provider.create!(plan);
    await provider.configure!(stackConfig(emulator, { "neon-fleet:allowReplace": "true" }));

    const moved = (await provider.check!(plan, { ...plan, pgVersion: 16 })).inputs as TenantProjectInputs;

    expect(moved).not.toHaveProperty("replacing");
    expect(moved.pgVersion).toBe(17);
    expect(moved.refusedChange).toBe(
      "tenant vandelay: changing pgVersion 17 -> 16 needs a new Neon project (the tenant starts on an empty " +
        "database); refused although neon-fleet:allowReplace is set, the project is left as it is: adopt: names " +
        `project ${adopted.id}, and a replacement must never follow it back to the project it replaces; ` +
        "remove adopt: from the tenant's plan first (the project stays managed), or revert the plan change",
    );
    const outs = first.outs as TenantProjectOutputs;
    expect(await provider.diff!(first.id, outs, moved)).toMatchObject({ changes: true, replaces: [] });

    // Without adopt: the replace goes through: a new project, and the old one is left to onRemove.
    const { adopt: _adopt, ...withoutAdopt } = plan;
    const replacing = (await provider.check!(moved, { ...withoutAdopt, pgVersion: 16 })).inputs as TenantProjectInputs;
    const replacement = await provider.create!(replacing);
    await provider.delete!(first.id, outs);
    await provider.configure!(stackConfig(emulator));

    expect(replacement.id).not.toBe(adopted.id);
    expect(await liveProject(replacement.id)).toMatchObject({ name: "tenant-vandelay", pg_version: 16 });
    expect(await liveProject(adopted.id)).toBeUndefined();
  });

  it("a retained former tenant's project (its id no longer in the plans) is refused through adopt:, pointing at formerIds", async () => {
    const retained = await made("tenant-oldco");

    const failure = await provider.create!(inputs("newco", { adopt: retained.id })).then(
      () => new Error("adopted"),
      (err: unknown) => err as Error,
    );

    expect(failure.message).toContain("write formerIds: [oldco] instead of adopt");
    expect(await liveProject(retained.id)).toMatchObject({ name: "tenant-oldco" });
  });
});
