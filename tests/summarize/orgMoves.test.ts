import { parsePreviewDocument, readFleetChanges, renderSummary } from "../../tools/summarize";

const TENANT_PROJECT = "pulumi-nodejs:dynamic/neon:TenantProject";
const PLAN_QUOTA = "pulumi-nodejs:dynamic/neon:PlanQuota";
const urn = (type: string, name: string) => `urn:pulumi:production::neon-fleet::${type}::${name}`;

/** A preview of tenants re-tiered from `free` (in org-free) to `pro` (in org-paid): each one a transfer and a re-tier. */
function retierAcrossOrgs(ids: readonly string[]): string {
  const base = { residency: "us", region: "aws-us-east-2", pgVersion: 17, onRemove: "retain" };
  const steps = ids.flatMap((id) => [
    {
      op: "update",
      urn: urn(TENANT_PROJECT, id),
      oldState: {
        urn: urn(TENANT_PROJECT, id),
        type: TENANT_PROJECT,
        inputs: { ...base, tenantId: id, tier: "free", org: "org-free" },
      },
      newState: {
        urn: urn(TENANT_PROJECT, id),
        type: TENANT_PROJECT,
        inputs: { ...base, tenantId: id, tier: "pro", org: "org-paid" },
      },
    },
    {
      op: "update",
      urn: urn(PLAN_QUOTA, id),
      oldState: {
        urn: urn(PLAN_QUOTA, id),
        type: PLAN_QUOTA,
        inputs: { tenantId: id, tier: "free", historyRetentionSeconds: 86_400 },
      },
      newState: {
        urn: urn(PLAN_QUOTA, id),
        type: PLAN_QUOTA,
        inputs: { tenantId: id, tier: "pro", historyRetentionSeconds: 604_800 },
      },
    },
  ]);
  return JSON.stringify({ steps });
}

describe("the summary of tenants moving between organizations", () => {
  const summary = renderSummary(
    readFleetChanges(parsePreviewDocument(retierAcrossOrgs(["t03", "t01", "t02"]), "preview.json")),
  );

  it("counts the transfers in the verdict and gives them a section of their own, by source and destination", () => {
    expect(summary.split("\n")[0]).toBe("**neon-fleet preview: 3 to update, 3 moving organization**");
    expect(summary).toContain("### Moves organization (3)");
    expect(summary).toContain("- `org-free -> org-paid`: 3 tenants: t01, t02, t03");
  });

  it("keeps the transfer out of what destroys data and out of the grouped property changes", () => {
    expect(summary).not.toContain("Destroys data");
    expect(summary).not.toMatch(/`org /);
    expect(summary).toContain("historyRetention 1d -> 7d");
  });
});
