import type { RunningEmulator } from "../../emulator";
import { neon } from "../../provider/neon";
import { provider, type DevBranchInputs, type DevBranchOutputs } from "../../provider/resources/devBranch";
import { mutations, stackConfig, startUnitEmulator } from "./providerRig";

/**
 * DevBranch's create against the in-process emulator: which existing branch of its name it may take over. Each
 * test uses its own dev project.
 */
describe("DevBranch provider", () => {
  let emulator: RunningEmulator;
  const DAY = 86_400;

  /** A dev project and a branch made by hand (no annotation), as in Neon's console. */
  const devProjectWithHandMadeBranch = async (project: string, branch: string) => {
    const created = await neon().createProject({ name: project, region_id: "aws-us-east-2", pg_version: 17 }, {});
    const projectId = created.project.id;
    const handMade = await neon().createBranch(projectId, { name: branch, parentId: created.defaultBranchId }, {});
    return { projectId, handMadeId: handMade.branch.id };
  };
  const branchNamed = async (projectId: string, name: string) =>
    (await neon().listBranches(projectId, {})).find((b) => b.name === name);
  const inputs = (projectId: string, name: string, extra: Partial<DevBranchInputs> = {}): DevBranchInputs => ({
    projectId,
    name,
    parent: "main",
    ttlSeconds: DAY,
    ...extra,
  });

  beforeAll(async () => {
    emulator = await startUnitEmulator();
    await provider.configure!(stackConfig(emulator));
  });
  afterAll(async () => emulator.close());

  it("a dev branch named like a hand-made branch is refused in one line naming it and the fix", async () => {
    const { projectId, handMadeId } = await devProjectWithHandMadeBranch("dev-refuse", "feature-login");

    emulator.resetStats();
    const failure = await provider.create!(inputs(projectId, "feature-login")).then(
      () => "(it succeeded)",
      (err: unknown) => (err as Error).message,
    );

    expect(failure).toBe(
      `dev branch feature-login: a branch of that name (${handMadeId}) already exists in dev project ${projectId} ` +
        "and neon-fleet did not create it; taking it over would set an expiry and Neon would then delete it: rename " +
        "the branch in dev.yaml, or add `adopt: true` to it there to take the existing branch over",
    );
    expect(mutations(emulator)).toEqual({});
    expect((await branchNamed(projectId, "feature-login"))?.expires_at).toBeUndefined();
  });

  it("with adopt: true the hand-made branch is taken over: same branch, the ttl's expiry", async () => {
    const { projectId, handMadeId } = await devProjectWithHandMadeBranch("dev-adopt", "feature-billing");

    const result = await provider.create!(inputs(projectId, "feature-billing", { adopt: true }));

    expect(result.id).toBe(handMadeId);
    const outs = result.outs as DevBranchOutputs;
    const expiresAt = (await branchNamed(projectId, "feature-billing"))?.expires_at ?? "";
    expect(Date.parse(expiresAt)).toBe(Date.parse(outs.expiresAt));
  });

  it("a branch neon-fleet created (a lost state) is taken over without adopt: by its annotation", async () => {
    const created = await neon().createProject({ name: "dev-lost", region_id: "aws-us-east-2", pg_version: 17 }, {});
    const projectId = created.project.id;
    const first = await provider.create!(inputs(projectId, "feature-search"));

    emulator.resetStats();
    const again = await provider.create!(inputs(projectId, "feature-search", { ttlSeconds: 2 * DAY }));

    expect(again.id).toBe(first.id);
    expect(mutations(emulator)).toEqual({ "PATCH /projects/{project_id}/branches/{branch_id}": 1 });
  });
});
