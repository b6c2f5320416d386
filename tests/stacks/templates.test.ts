import type { Fleet, ResolvedTenant } from "../../provider/plans";
import { firstWithRoom } from "../../provider/resources/tenantBranch";
import { templateSeries } from "../../stacks/templates";

/** A fleet of just what placement reads: the prefix and each tier's placement and branchesPerProject. */
const fleet = {
  projectNamePrefix: "tenant-",
  tiers: {
    free: { name: "free", placement: "branch", branchesPerProject: 4 },
    pro: { name: "pro", placement: "project" },
  },
} as unknown as Fleet;

const tenant = (id: string, tier: string, region = "aws-us-east-2"): ResolvedTenant =>
  ({ id, tier, region, residency: "us", placement: tier === "free" ? "branch" : "project" }) as ResolvedTenant;

describe("template project series", () => {
  it("gives each tier and region of branch tenants ceil(tenants / branchesPerProject) template projects", () => {
    const tenants = [
      ...Array.from({ length: 10 }, (_, i) => tenant(`f${i}`, "free")),
      tenant("e1", "free", "aws-eu-central-1"),
      tenant("p1", "pro"),
    ];

    const series = templateSeries(fleet, tenants);

    expect(series.map((s) => [s.key, s.tenants, s.projects.map((p) => p.projectName)])).toEqual([
      ["free/aws-us-east-2", 10, [1, 2, 3].map((n) => `tenant-template-free-aws-us-east-2-${n}`)],
      ["free/aws-eu-central-1", 1, ["tenant-template-free-aws-eu-central-1-1"]],
    ]);
    expect(series[0]!.projects[2]!.resourceName).toBe("template/free/aws-us-east-2/3");
  });

  it("needs no template project when no tenant is on a branch tier", () => {
    expect(templateSeries(fleet, [tenant("p1", "pro")])).toEqual([]);
  });

  it("keeps the same template projects when tenants are swapped one for one", () => {
    const before = templateSeries(
      fleet,
      Array.from({ length: 10 }, (_, i) => tenant(`f${i}`, "free")),
    );
    const after = templateSeries(
      fleet,
      Array.from({ length: 10 }, (_, i) => tenant(`g${i}`, "free")),
    );
    expect(after).toEqual(before);
  });
});

describe("choosing the template project of a new tenant", () => {
  it("takes the first template project with room, in series order", () => {
    expect(firstWithRoom([4, 4, 2], 4)).toBe(2);
    expect(firstWithRoom([2, 4, 4], 4)).toBe(0);
    expect(firstWithRoom([4, 3, 0], 4)).toBe(1);
  });

  it("finds none when every template project is full", () => {
    expect(firstWithRoom([4, 4], 4)).toBeUndefined();
    expect(firstWithRoom([], 4)).toBeUndefined();
  });
});
