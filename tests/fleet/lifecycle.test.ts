import { readFileSync } from "node:fs";
import type { Branch, Project } from "@neondatabase/api-client";
import { parsePreviewDocument, readFleetChanges } from "../../tools/summarize";
import { API_KEY, fleetWorld, stepOps, type FleetWorld } from "./fleetWorld";
import { STORY_MS } from "../support/timeouts";

/**
 * The life of a small fleet (tests/fixtures/fleet/small: acme pro, globex free in eu, initech enterprise
 * with onRemove: delete, and the dev project fleet-dev with two branches), one story after the other.
 */
/** One or two engine runs per story: well under a minute each, with room for a busy machine. */

describe("fleet lifecycle", () => {
  let world: FleetWorld;
  const moveAcme = (text: string): string =>
    text.replace("  - id: acme\n    tier: pro\n", "  - id: acme\n    tier: pro\n    region: aws-us-east-1\n");
  const branchesOfDev = async (): Promise<Branch[]> => {
    const dev = await world.project("fleet-dev");
    return (await world.api<{ branches: Branch[] }>("GET", `/projects/${dev.id}/branches`)).branches;
  };

  beforeAll(async () => {
    world = await fleetWorld("small");
    const first = await world.run("up");
    expect(first.failures).toEqual([]);
  }, STORY_MS);
  afterAll(async () => world.close());

  it(
    "moving a tenant to another region is refused by default, leaves its project untouched and stops no one else",
    async () => {
      const before = await world.project("tenant-acme");
      world.editPlan("tenants/customers.yaml", (text) => moveAcme(text).concat("  - id: newco\n"));
      world.emulator.resetStats();

      const result = await world.run("up");

      expect(result.failures).toEqual([]);
      expect(stepOps(result, "TenantProject")).toMatchObject({ acme: "update", newco: "create" });
      const changes = readFleetChanges(parsePreviewDocument(JSON.stringify(result.preview), "preview"));
      const acme = changes.tenants.find((t) => t.id === "acme");
      expect(acme?.action).toBe("refused");
      expect(acme?.refusal).toMatch(/^tenant acme: changing region "aws-us-east-2" -> "aws-us-east-1" .*allowReplace/);
      expect(await world.project("tenant-acme")).toMatchObject({ id: before.id, region_id: "aws-us-east-2" });
      expect(world.emulator.stats().requests.byRoute["PATCH /projects/{project_id}"]).toBeUndefined();
      expect(world.emulator.stats().requests.byRoute["DELETE /projects/{project_id}"]).toBeUndefined();
      expect((await world.project("tenant-newco")).region_id).toBe("aws-us-east-2");
    },
    STORY_MS,
  );

  it(
    "with allowReplace the move makes a project in the new region on tier, keeps the old aside (retain)",
    async () => {
      const before = await world.project("tenant-acme");

      const result = await world.run("up", { "neon-fleet:allowReplace": "true" });

      expect(result.failures).toEqual([]);
      expect(stepOps(result, "TenantProject").acme.split(",")).toContain("replace");
      const after = await world.project("tenant-acme");
      expect(after.id).not.toBe(before.id);
      expect(after.region_id).toBe("aws-us-east-1");
      expect(after.settings?.quota?.logical_size_bytes).toBe(10 * 2 ** 30);
      const aside = await world.project(`${before.id} (was tenant-acme)`);
      expect(aside).toMatchObject({ id: before.id, region_id: "aws-us-east-2" });
      await world.api("DELETE", `/projects/${before.id}`);
    },
    STORY_MS,
  );

  it(
    "removed tenants keep or lose their projects as onRemove says; new tenants adopt existing projects",
    async () => {
      const globex = await world.project("tenant-globex");
      const legacy = (
        await world.api<{ project: Project }>("POST", "/projects", {
          project: { name: "legacy-shop", region_id: "aws-us-east-2", pg_version: 17 },
        })
      ).project;
      const namedAlready = (
        await world.api<{ project: Project }>("POST", "/projects", {
          project: { name: "tenant-umbrella", region_id: "aws-eu-central-1", pg_version: 17 },
        })
      ).project;
      world.editPlan("tenants/customers.yaml", (text) =>
        text
          .replace(/ {2}- id: globex\n( {4}.*\n)+?(?= {2}- id:)/, "")
          .replace(/ {2}- id: initech\n( {4}.*\n)+/, "")
          .concat(`  - id: shop\n    tier: pro\n    adopt: ${legacy.id}\n  - id: umbrella\n    residency: eu\n`),
      );
      world.emulator.resetStats();

      const result = await world.run("up");

      expect(result.failures).toEqual([]);
      expect(stepOps(result, "TenantProject")).toMatchObject({
        globex: "delete",
        initech: "delete",
        shop: "create",
        umbrella: "create",
      });
      const names = (await world.projects()).map((p) => p.name).sort();
      expect(names).toEqual([
        "fleet-dev",
        "tenant-acme",
        "tenant-globex",
        "tenant-newco",
        "tenant-shop",
        "tenant-umbrella",
      ]);
      expect((await world.project("tenant-globex")).id).toBe(globex.id);
      expect(world.emulator.stats().requests.byRoute["POST /projects"]).toBeUndefined();
      const shop = await world.project("tenant-shop");
      expect(shop.id).toBe(legacy.id);
      expect(shop.settings?.quota?.logical_size_bytes).toBe(10 * 2 ** 30);
      for (const endpoint of await world.endpoints(shop.id)) expect(endpoint.autoscaling_limit_max_cu).toBe(2);
      expect((await world.project("tenant-umbrella")).id).toBe(namedAlready.id);
    },
    STORY_MS,
  );

  it(
    "refresh then up repairs a project deleted outside, a drifted quota and a branch Neon expired",
    async () => {
      const acme = await world.project("tenant-acme");
      const shop = await world.project("tenant-shop");
      const billing = (await branchesOfDev()).find((b) => b.name === "feature-billing")!;
      await world.api("DELETE", `/projects/${acme.id}`);
      await world.api("PATCH", `/projects/${shop.id}`, {
        project: { settings: { quota: { ...shop.settings?.quota, logical_size_bytes: 1 } } },
      });
      await world.api("DELETE", `/projects/${billing.project_id}/branches/${billing.id}`);

      const refresh = await world.run("refresh");
      expect(refresh.failures).toEqual([]);
      const up = await world.run("up");

      expect(up.failures).toEqual([]);
      expect(stepOps(up, "TenantProject").acme).toBe("create");
      expect(stepOps(up, "PlanQuota").shop).toBe("update");
      expect(stepOps(up, "DevBranch")["feature-billing"]).toBe("create");
      expect((await world.project("tenant-acme")).settings?.quota?.logical_size_bytes).toBe(10 * 2 ** 30);
      expect((await world.project("tenant-shop")).settings?.quota?.logical_size_bytes).toBe(10 * 2 ** 30);
      expect((await branchesOfDev()).map((b) => b.name)).toContain("feature-billing");
    },
    STORY_MS,
  );

  it(
    "a new resetToken restores the branch under the same id, a new ttl moves its expiry, a removed branch is deleted",
    async () => {
      const login = (await branchesOfDev()).find((b) => b.name === "feature-login")!;
      world.editPlan("dev.yaml", (text) =>
        text
          .replace('resetToken: "2026-11-20"', 'resetToken: "2026-11-25"')
          .replace("ttl: 7d", "ttl: 10d")
          .replace(/ {2}- name: feature-billing\n( {4}.*\n)+/, ""),
      );
      world.emulator.resetStats();

      const result = await world.run("up");

      expect(result.failures).toEqual([]);
      expect(stepOps(result, "DevBranch")).toEqual({ "feature-login": "update", "feature-billing": "delete" });
      expect(world.emulator.stats().requests.byRoute["POST /projects/{project_id}/branches/{branch_id}/restore"]).toBe(
        1,
      );
      const branches = await branchesOfDev();
      const after = branches.find((b) => b.name === "feature-login");
      expect(after?.id).toBe(login.id);
      const daysLeft = (Date.parse(after?.expires_at ?? "") - Date.now()) / 86_400_000;
      expect(daysLeft).toBeGreaterThan(9.9);
      expect(daysLeft).toBeLessThanOrEqual(10);
      expect(branches.map((b) => b.name)).not.toContain("feature-billing");
    },
    STORY_MS,
  );

  it(
    "neither the state nor the preview holds the API key or a connection string with its password",
    () => {
      const passwordInUri = /postgres(ql)?:\/\/[^:/@\s"]+:[^@\s"]+@/;
      for (const file of [world.stateFile, world.previewFile]) {
        const text = readFileSync(file, "utf8");
        expect(text).not.toContain(API_KEY);
        expect(text).not.toMatch(passwordInUri);
      }
      const state = JSON.parse(readFileSync(world.stateFile, "utf8")) as {
        resources: { type: string; inputs: Record<string, unknown> }[];
      };
      const providers = state.resources
        .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/neon:"))
        .map((r) => String(r.inputs.__provider));
      expect(providers.length).toBeGreaterThan(0);
      for (const provider of providers) expect(Buffer.byteLength(provider)).toBeLessThan(2048);
    },
    STORY_MS,
  );
});
