import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ProjectListItem } from "@neondatabase/api-client";
import type { RunningEmulator } from "../../emulator";
import { neon } from "../../provider/neon";
import { provider, type TenantProjectInputs, type TenantProjectOutputs } from "../../provider/resources/tenantProject";
import { tenantBucket } from "../../provider/plans/shard";
import { Semaphore } from "../engine/semaphore";
import { UNIT_ENDPOINTS, UNIT_QUOTA, mutations, stackConfig, startUnitEmulator } from "./providerRig";

/**
 * Organization transfers driven the way the Pulumi engine drives them: Check and Diff one tenant at a time, and the
 * next tenant's Check only once one of the `--parallel` workers is free to take its update (the engine blocks its
 * loop on a busy executor). Each test moves tenants between its own pair of organizations, with plans written for
 * it: tier `from` lives in the source organization, tier `to` in the destination, and the plans put every tenant
 * on tier `to` (the re-tier the tenants' updates apply).
 */
const TRANSFER = "POST /organizations/{source_org_id}/projects/transfer";
const PARALLEL = 8;
const TEST_MS = 120_000;

/** What the provider's check makes of re-tiering `tenantId` from the source's tier to the destination's. */
const checked = async (tenantId: string, source: string, destination: string) =>
  (await provider.check!(inputs(tenantId, "from", source), inputs(tenantId, "to", destination)))
    .inputs as TenantProjectInputs;

const tenantIds = (prefix: string, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(3, "0")}`);

function inputs(tenantId: string, tier: string, org: string): TenantProjectInputs {
  const base = { tenantId, projectName: `tenant-${tenantId}`, residency: "us", region: "aws-us-east-2", pgVersion: 17 };
  return { ...base, tier, org, onRemove: "retain", quota: UNIT_QUOTA, endpointSettings: UNIT_ENDPOINTS };
}

/** Plans where every tenant of `ids` is on the tier living in `destination`. */
function writePlans(dir: string, source: string, destination: string, ids: string[]): void {
  mkdirSync(path.join(dir, "tenants"), { recursive: true });
  const tier = (org: string) =>
    `    org: ${org}\n    compute: { min: 0.25, max: 0.25 }\n    suspendAfter: 5m\n    computeTime: 100h\n` +
    "    activeTime: unlimited\n    storage: 512MiB\n    dataTransfer: 5GiB\n    writtenData: 1GiB\n";
  writeFileSync(
    path.join(dir, "fleet.yaml"),
    `fleet:\n  projectNamePrefix: tenant-\n  org: ${source}\nresidency:\n  us: [aws-us-east-2]\n` +
      "defaults:\n  residency: us\n  tier: from\n  pgVersion: 17\n",
  );
  writeFileSync(path.join(dir, "tiers.yaml"), `tiers:\n  from:\n${tier(source)}  to:\n${tier(destination)}`);
  const tenants = ids.map((id) => `  - { id: ${id}, tier: to }\n`).join("");
  writeFileSync(path.join(dir, "tenants", "customers.yaml"), `tenants:\n${tenants}`);
}

describe("organization transfers under the engine's --parallel", () => {
  let emulator: RunningEmulator;
  let plansRoot: string;

  beforeAll(async () => {
    emulator = await startUnitEmulator();
    plansRoot = mkdtempSync(path.join(os.tmpdir(), "transfer-plans-"));
  });
  afterAll(async () => {
    await emulator.close();
    rmSync(plansRoot, { recursive: true, force: true });
  });

  /** Plans for the test, the provider configured with them, and the tenants created in `source` (as a first up). */
  async function fleetIn(source: string, destination: string, ids: string[], config: Record<string, string> = {}) {
    const dir = path.join(plansRoot, `${source}-${destination}`);
    writePlans(dir, source, destination, ids);
    await provider.configure!(stackConfig(emulator, { "neon-fleet:plans": dir, ...config }));
    const olds = new Map<string, TenantProjectOutputs & { id: string }>();
    for (let i = 0; i < ids.length; i += 25) {
      await Promise.all(
        ids.slice(i, i + 25).map(async (id) => {
          const created = await provider.create!(inputs(id, "from", source));
          olds.set(id, { ...(created.outs as TenantProjectOutputs), id: created.id });
        }),
      );
    }
    emulator.resetStats();
    return olds;
  }

  /**
   * Re-tiers every tenant as `up` does: Check and Diff of one tenant at a time, each update handed to a free worker
   * of {@link PARALLEL} before the next tenant's Check. Returns each tenant's failure message (undefined = updated).
   */
  async function retierAll(olds: Map<string, TenantProjectOutputs & { id: string }>, destination: string) {
    const workers = new Semaphore(PARALLEL);
    const updates: Promise<[string, string | undefined]>[] = [];
    for (const [tenantId, old] of olds) {
      const news = await checked(tenantId, old.org!, destination);
      const diff = await provider.diff!(old.id, old, news);
      expect(diff.changes).toBe(true);
      const slot = await workers.acquire();
      updates.push(
        provider.update!(old.id, old, news)
          .then(
            (): [string, string | undefined] => [tenantId, undefined],
            (err: Error): [string, string | undefined] => [tenantId, err.message],
          )
          .finally(slot),
      );
    }
    return new Map(await Promise.all(updates));
  }

  const inOrg = async (orgId: string): Promise<string[]> => {
    const names: string[] = [];
    const listed: AsyncIterable<ProjectListItem> = neon().listProjects({ orgId, cache: false });
    for await (const p of listed) names.push(p.name);
    return names.map((n) => n.replace("tenant-", "")).sort();
  };

  it(
    "300 tenants re-tiered into another organization take at most 2 transfer calls, with 8 updates at a time",
    async () => {
      const ids = tenantIds("m", 300);
      const olds = await fleetIn("org-many-a", "org-many-b", ids);

      const failures = await retierAll(olds, "org-many-b");

      expect([...failures.values()].filter(Boolean)).toEqual([]);
      expect(emulator.stats().requests.byRoute[TRANSFER]).toBeLessThanOrEqual(2);
      expect(await inOrg("org-many-b")).toEqual(ids);
      expect(await inOrg("org-many-a")).toEqual([]);
    },
    TEST_MS,
  );

  it(
    "diffs send nothing (a preview stays offline)",
    async () => {
      const olds = await fleetIn("org-preview-a", "org-preview-b", tenantIds("p", 5));
      for (const [tenantId, old] of olds) {
        const news = await checked(tenantId, old.org!, "org-preview-b");
        expect((await provider.diff!(old.id, old, news)).changes).toBe(true);
      }
      expect(mutations(emulator)).toEqual({});
    },
    TEST_MS,
  );

  it(
    "a destination with room for only some fails the others' own updates with Neon's answer, one line each",
    async () => {
      const ids = tenantIds("r", 30);
      const olds = await fleetIn("org-full-a", "org-full-b", ids);
      emulator.setOrgLimit("org-full-b", 25);

      const failures = await retierAll(olds, "org-full-b");

      const failed = [...failures].filter(([, message]) => message !== undefined);
      expect(failed.map(([id]) => id)).toEqual(ids.slice(25));
      const [, message] = failed[0]!;
      expect(message).toContain(`tenant ${ids[25]}`);
      expect(message).toContain("from org-full-a to org-full-b");
      expect(message).toMatch(/406.*projects_count: limit 25/);
      expect(message).not.toContain("\n");
      expect(await inOrg("org-full-b")).toEqual(ids.slice(0, 25));
      expect(emulator.stats().requests.byRoute[TRANSFER]).toBeLessThanOrEqual(2);
    },
    TEST_MS,
  );

  it(
    "only this stack's tenants are sent with the batch; a tenant another batch already moved just confirms",
    async () => {
      const ids = tenantIds("s", 20);
      const olds = await fleetIn("org-stack-a", "org-stack-b", ids, { "neon-fleet:bucket": "0/2" });
      const ours = ids.filter((id) => tenantBucket(id, 2) === 0);
      const first = olds.get(ours[0]!)!;
      const news = await checked(ours[0]!, "org-stack-a", "org-stack-b");
      await provider.diff!(first.id, first, news);
      await provider.update!(first.id, first, news);

      expect(emulator.stats().requests.byRoute[TRANSFER]).toBe(1);
      expect(await inOrg("org-stack-b")).toEqual(ours);
      const second = olds.get(ours[1]!)!;
      const secondNews = await checked(ours[1]!, "org-stack-a", "org-stack-b");
      const updated = await provider.update!(second.id, second, secondNews);
      expect((updated.outs as TenantProjectOutputs).org).toBe("org-stack-b");
      expect(emulator.stats().requests.byRoute[TRANSFER]).toBe(1);
    },
    TEST_MS,
  );
});
