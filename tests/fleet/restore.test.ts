import { readFileSync } from "node:fs";
import { Client } from "pg";
import type { Branch } from "@neondatabase/api-client";
import { createPostgresBackend } from "../../emulator/postgres";
import type { DatabaseBackend } from "../../emulator/databaseBackend";
import { planRestore } from "../../tools/restore";
import { parsePreviewDocument, readFleetChanges, renderSummary } from "../../tools/summarize";
import { runEngine, type EngineRunResult } from "../engine";
import { API_KEY, fleetWorld, stepOps, type FleetWorld } from "./fleetWorld";
import { POSTGRES_STORY_MS } from "../support/timeouts";

const RESTORE_ROUTE = "POST /projects/{project_id}/branches/{branch_id}/restore";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Now as RFC 3339 UTC in whole seconds, the precision of a restore point. */
const nowToTheSecond = (): string => new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace(".000Z", "Z");

async function rowsOf(connectionString: string): Promise<number[]> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return (await client.query("select id from orders order by id")).rows.map((r: { id: number }) => r.id);
  } finally {
    await client.end();
  }
}

async function write(connectionString: string, sql: string): Promise<void> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe("restoring one tenant to a point in time, reviewed as a plan change", () => {
  let backend: DatabaseBackend;
  let world: FleetWorld;

  beforeAll(async () => {
    backend = await createPostgresBackend({ idleMs: 5_000 });
    world = await fleetWorld("restore", { emulator: { database: backend } });
  }, POSTGRES_STORY_MS);

  afterAll(async () => {
    await world?.close();
    await backend?.close();
  });

  const run = (command: "preview" | "up"): Promise<EngineRunResult> =>
    runEngine({
      command,
      plansDir: world.plansDir,
      stateFile: world.stateFile,
      jsonOut: world.previewFile,
      apiUrl: world.emulator.url,
      apiKey: API_KEY,
      env: { NEON_FLEET_RATE: "60000", NEON_FLEET_BURST: "1000" },
      showSecrets: true,
    });
  const restoreCalls = (): number => world.emulator.stats().requests.byRoute[RESTORE_ROUTE] ?? 0;
  const branchesOf = async (projectId: string): Promise<Branch[]> =>
    (await world.api<{ branches: Branch[] }>("GET", `/projects/${projectId}/branches`)).branches;
  /** The rows of a branch without an endpoint (a backup), read through a short-lived child branch. */
  const rowsOfBranch = async (projectId: string, branchId: string): Promise<number[]> => {
    type Created = { branch: Branch; connection_uris: { connection_uri: string }[] };
    const peek = await world.api<Created>("POST", `/projects/${projectId}/branches`, {
      branch: { parent_id: branchId, name: `peek-${branchId}` },
      endpoints: [{ type: "read_write" }],
    });
    try {
      return await rowsOf(peek.connection_uris[0]!.connection_uri);
    } finally {
      await sleep(100);
      await world.api("DELETE", `/projects/${projectId}/branches/${peek.branch.id}`);
    }
  };

  it(
    "rolls back only that tenant, keeps later writes on a backup branch, and never repeats a token",
    async () => {
      const first = await run("up");
      expect(first.failures).toEqual([]);
      const connections = first.outputs.connections as Record<string, string>;
      const acme = await world.project("tenant-acme");
      const globex = await world.project("tenant-globex");
      // The pro tier sets historyRetention 2d; the free tier sets none, so Neon's default (1 day) stands.
      expect(acme.history_retention_seconds).toBe(172_800);
      expect(globex.history_retention_seconds).toBe(86_400);

      await write(connections.acme!, "create table orders (id int primary key); insert into orders values (1)");
      await write(connections.globex!, "create table orders (id int primary key); insert into orders values (10)");
      await sleep(1_200);
      const to = nowToTheSecond();
      await sleep(1_200);
      await write(connections.acme!, "insert into orders values (2)");
      await write(connections.globex!, "insert into orders values (11)");

      await planRestore({ tenantId: "acme", to, token: "incident-42", plansDir: world.plansDir });
      const planText = readFileSync(`${world.plansDir}/tenants/customers.yaml`, "utf8");
      expect(planText).toContain("# the tenant with the incident");
      expect(planText).toContain(`restore: { to: ${to}, token: incident-42 }`);

      world.emulator.resetStats();
      const preview = await run("preview");
      expect(preview.failures).toEqual([]);
      expect(stepOps(preview, "TenantProject")).toEqual({ acme: "update", globex: "same" });
      expect(world.emulator.stats().requests.total).toBe(0);
      const document = parsePreviewDocument(readFileSync(world.previewFile, "utf8"), "preview.json");
      const summary = renderSummary(readFleetChanges(document));
      const sections = summary.split("\n### ");
      expect(sections[1]).toMatch(/^Destroys data \(1\)/);
      expect(sections[1]).toContain(`acme: restore to ${to}, writes after it move to branch acme-before-incident-42`);

      const up = await run("up");
      expect(up.failures).toEqual([]);
      expect(restoreCalls()).toBe(1);
      expect(up.outputs.connections).toEqual(connections);
      expect(await rowsOf(connections.acme!)).toEqual([1]);
      expect(await rowsOf(connections.globex!)).toEqual([10, 11]);
      const backup = (await branchesOf(acme.id)).find((b) => b.name === "acme-before-incident-42");
      expect(backup).toBeDefined();
      expect(await rowsOfBranch(acme.id, backup!.id)).toEqual([1, 2]);
      expect(readFileSync(world.stateFile, "utf8")).toContain("acme-before-incident-42");

      // The entry stays in the plans as the record: the next up does not restore again.
      world.emulator.resetStats();
      expect((await run("up")).failures).toEqual([]);
      expect(restoreCalls()).toBe(0);

      // A new token restores again; keeping one backup deletes the older one.
      await planRestore({ tenantId: "acme", to, token: "incident-43", plansDir: world.plansDir });
      world.editPlan("tenants/customers.yaml", (text) =>
        text.replace("token: incident-43 }", "token: incident-43, keepBackups: 1 }"),
      );
      await write(connections.acme!, "insert into orders values (3)");
      world.emulator.resetStats();
      expect((await run("up")).failures).toEqual([]);
      expect(restoreCalls()).toBe(1);
      expect(await rowsOf(connections.acme!)).toEqual([1]);
      const backups = (await branchesOf(acme.id)).map((b) => b.name).filter((name) => name.startsWith("acme-before-"));
      expect(backups).toEqual(["acme-before-incident-43"]);

      // Outside the history window: a clear error naming the window and the tier key, and nothing changes.
      const tooOld = new Date(Date.now() - 3 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");
      await planRestore({ tenantId: "acme", to: tooOld, token: "too-old", plansDir: world.plansDir });
      const branchesBefore = (await branchesOf(acme.id)).map((b) => b.name).sort();
      world.emulator.resetStats();
      const refused = await run("up");
      expect(refused.failures.map((f) => f.urn.split("::").pop())).toEqual(["acme"]);
      expect(refused.failures[0]!.message).toContain("history_retention_seconds 172800 = 2d");
      expect(refused.failures[0]!.message).toContain("historyRetention");
      expect(restoreCalls()).toBe(0);
      expect((await branchesOf(acme.id)).map((b) => b.name).sort()).toEqual(branchesBefore);
      expect(await rowsOf(connections.acme!)).toEqual([1]);
      expect(await rowsOf(connections.globex!)).toEqual([10, 11]);
    },
    POSTGRES_STORY_MS,
  );
});
