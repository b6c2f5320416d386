import { provider as planQuota, type PlanQuotaInputs, type PlanQuotaOutputs } from "../../provider/resources/planQuota";
import {
  provider as tenantProject,
  type TenantProjectInputs,
  type TenantProjectOutputs,
} from "../../provider/resources/tenantProject";
import { backupBranchName, defaultRestoreToken } from "../../provider/plans/restore";
import { settingsLine } from "../../provider/resources/tierSettings";
import { readFleetChanges, renderSummary } from "../../tools/summarize";

const quota = {
  active_time_seconds: 0,
  compute_time_seconds: 360_000,
  written_data_bytes: 1,
  data_transfer_bytes: 1,
  logical_size_bytes: 1,
};
const endpointSettings = { autoscaling_limit_min_cu: 0.25, autoscaling_limit_max_cu: 2, suspend_timeout_seconds: 600 };
const restore = {
  to: "2026-11-30T10:00:00Z",
  token: "incident-42",
  keepBackups: 3,
  backupBranch: "acme-before-incident-42",
};

const inputs: TenantProjectInputs = {
  tenantId: "acme",
  projectName: "tenant-acme",
  tier: "pro",
  residency: "us",
  region: "aws-us-east-2",
  pgVersion: 17,
  onRemove: "retain",
  quota,
  endpointSettings,
};
const outputs: TenantProjectOutputs = {
  ...inputs,
  projectId: "p-1",
  regionId: "aws-us-east-2",
  defaultBranchId: "br-1",
  host: "h",
  connectionUri: "u",
  pooledConnectionUri: "u",
  observedSettings: settingsLine({ quota, endpointSettings, historyRetentionSeconds: 86_400 }),
};

describe("a restore in the plans, judged offline", () => {
  it("a new token is an in-place change, never a replace", async () => {
    const diff = await tenantProject.diff!("p-1", outputs, { ...inputs, restore });
    expect(diff).toMatchObject({ changes: true, replaces: [] });
  });

  it("the token already applied is no change, so the entry can stay in the plans", async () => {
    const applied = { ...outputs, restore, restoredToken: "incident-42" };
    const diff = await tenantProject.diff!("p-1", applied, { ...inputs, restore });
    expect(diff.changes).toBe(false);
  });

  it("removing the entry after it was applied changes nothing either", async () => {
    const diff = await tenantProject.diff!("p-1", { ...outputs, restore, restoredToken: "incident-42" }, inputs);
    expect(diff.changes).toBe(false);
  });
});

describe("historyRetention on PlanQuota", () => {
  const quotaInputs: PlanQuotaInputs = { tenantId: "acme", tier: "pro", projectId: "p-1", quota, endpointSettings };
  it("a tier that does not set it never makes an update out of Neon's default", async () => {
    const olds: PlanQuotaOutputs = { ...quotaInputs };
    expect((await planQuota.diff!("acme", olds, quotaInputs)).changes).toBe(false);
  });

  it("a changed retention is an update", async () => {
    const olds: PlanQuotaOutputs = { ...quotaInputs, historyRetentionSeconds: 86_400 };
    const news = { ...quotaInputs, historyRetentionSeconds: 604_800 };
    expect((await planQuota.diff!("acme", olds, news)).changes).toBe(true);
  });
});

describe("restore names", () => {
  it("the backup branch is <tenant>-before-<token>, lowercased and cleaned", () => {
    expect(backupBranchName("acme", "Incident 42")).toBe("acme-before-incident-42");
  });

  it("a long token is cut to 63 characters and two long tokens still name two branches", () => {
    const a = backupBranchName("a".repeat(47), `${"x".repeat(40)}-one`);
    const b = backupBranchName("a".repeat(47), `${"x".repeat(40)}-two`);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
  });

  it("the default token reads as the time", () => {
    expect(defaultRestoreToken("2026-11-30T11:00:00+01:00")).toBe("20261130-100000");
  });
});

describe("the pull-request summary of a restore", () => {
  const type = (name: string) => `pulumi-nodejs:dynamic/neon:${name}`;
  const urn = (kind: string, name: string) => `urn:pulumi:local::neon-fleet::${type(kind)}::${name}`;
  const update = (kind: string, name: string, before: Record<string, unknown>, after: Record<string, unknown>) => ({
    op: "update",
    urn: urn(kind, name),
    oldState: { urn: urn(kind, name), type: type(kind), inputs: before },
    newState: { urn: urn(kind, name), type: type(kind), inputs: after },
  });
  const doc = {
    steps: [
      update("TenantProject", "acme", { ...inputs }, { ...inputs, restore }),
      update(
        "PlanQuota",
        "globex",
        { tier: "pro", historyRetentionSeconds: 86_400 },
        {
          tier: "pro",
          historyRetentionSeconds: 604_800,
        },
      ),
    ],
  };
  const summary = renderSummary(readFleetChanges(doc));

  it("lists the restore first, in the destroys-data section, with its backup branch", () => {
    const sections = summary.split("\n### ");
    expect(sections[0]).toContain("1 restore to a point in time");
    const line = "acme: restore to 2026-11-30T10:00:00Z, writes after it move to branch acme-before-incident-42";
    expect(sections[1]).toBe(`Destroys data (1)\n\n- ${line}\n`);
  });

  it("shows a retention change in plan units and not the restore entry as a property change", () => {
    expect(summary).toContain("`historyRetention 1d -> 7d`: 1 tenant (globex)");
    expect(summary).not.toContain("restore.token");
  });
});
