import type * as pulumi from "@pulumi/pulumi";
import { provider as devBranchProvider } from "../../provider/resources/devBranch";
import { provider as planQuotaProvider } from "../../provider/resources/planQuota";

/** The engine hands check whatever property bag it has: typed inputs are exactly what is not guaranteed here. */
type Bag = Record<string, unknown>;
type UntypedCheck = { check(olds: Bag, news: Bag): Promise<pulumi.dynamic.CheckResult> };
const planQuota = planQuotaProvider as unknown as UntypedCheck;
const devBranch = devBranchProvider as unknown as UntypedCheck;

/**
 * With `--continue-on-error`, the engine still runs Check on the dependents of a resource whose create failed, with
 * that resource's outputs missing (not the unknown sentinel), before it skips them. A Check failure there would
 * abort the whole run, so checks must take a missing projectId or observedSettings as "not known yet".
 */
const QUOTA = {
  active_time_seconds: 0,
  compute_time_seconds: 360000,
  written_data_bytes: 2 ** 30,
  data_transfer_bytes: 5 * 2 ** 30,
  logical_size_bytes: 2 ** 29,
};
const ENDPOINTS = { autoscaling_limit_min_cu: 0.25, autoscaling_limit_max_cu: 2, suspend_timeout_seconds: 600 };

describe("checks of resources whose project failed to create", () => {
  it("PlanQuota accepts a missing projectId and observedSettings", async () => {
    const news = { tenantId: "acme", tier: "pro", quota: QUOTA, endpointSettings: ENDPOINTS };
    const result = await planQuota.check({}, news);

    expect(result.failures ?? []).toEqual([]);
    expect(result.inputs).toMatchObject({ tenantId: "acme", tier: "pro" });
  });

  it("PlanQuota still rejects a plan value that is wrong, projectId missing or not", async () => {
    const endpointSettings = { ...ENDPOINTS, autoscaling_limit_max_cu: 99 };
    const result = await planQuota.check({}, { tenantId: "acme", tier: "pro", quota: QUOTA, endpointSettings });

    expect(result.failures?.map((f) => f.property)).toEqual(["endpointSettings.autoscaling_limit_max_cu"]);
  });

  it("DevBranch accepts a missing projectId", async () => {
    const result = await devBranch.check({}, { name: "feature-login", parent: "main", ttlSeconds: 7 * 86400 });

    expect(result.failures ?? []).toEqual([]);
  });

  it("DevBranch still reports a missing name: only outputs of other resources may be missing", async () => {
    const result = await devBranch.check({}, { parent: "main", ttlSeconds: 7 * 86400 });

    expect(result.failures?.map((f) => f.property)).toEqual(["name"]);
  });
});
