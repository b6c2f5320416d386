import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { createPostgresBackend } from "../../emulator/postgres";
import { readSchemaStatus, renderSchemaStatus } from "../../provider/schemaMigrations/status";
import { summarizePreview } from "../../tools/summarize";
import { runEngine, type EngineRunResult } from "../engine";
import { countingBackend, type CountingBackend } from "./countingBackend";
import { API_KEY, fleetWorld, type FleetWorld } from "./fleetWorld";
import { POSTGRES_STORY_MS } from "../support/timeouts";

const SCHEMAS = ["acme", "dev/feature-x", "globex", "initech", "umbrella"];

/**
 * Schema migrations across a small fleet (4 tenants, acme the canary, + 1 dev branch), each branch a real
 * Postgres (PGlite) behind the emulator, driven by the engine double.
 */
describe("schema migrations across the fleet", () => {
  let backend: CountingBackend;
  let world: FleetWorld;
  let dataDir: string;
  let connections: Record<string, string>;

  const up = (): Promise<EngineRunResult> =>
    runEngine({
      command: "up",
      plansDir: world.plansDir,
      stateFile: world.stateFile,
      jsonOut: world.previewFile,
      apiUrl: world.emulator.url,
      apiKey: API_KEY,
      env: { NEON_FLEET_RATE: "60000", NEON_FLEET_BURST: "1000" },
      // Every non-canary tenant starts as soon as the canary is done, all at once, as under `pulumi up`.
      parallel: 16,
      showSecrets: true,
    });
  const versions = (): Record<string, string> => {
    const report = readSchemaStatus(readFileSync(world.stateFile, "utf8"), world.stateFile);
    return Object.fromEntries(
      report.tenants.map((t) => [t.tenant, `${t.version}${t.failed ? ` failed at ${t.failed.version}` : ""}`]),
    );
  };
  const sql = async <T>(tenant: string, text: string): Promise<T[]> => {
    const client = new Client({ connectionString: connections[tenant] });
    await client.connect();
    try {
      return (await client.query(text)).rows as T[];
    } finally {
      await client.end();
    }
  };
  const addMigration = (file: string, text: string) =>
    writeFileSync(path.join(world.plansDir, "migrations", file), text);

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "fleet-migrations-pg-"));
    backend = countingBackend(await createPostgresBackend({ dataDir, idleMs: 30_000 }));
    world = await fleetWorld("migrations", { emulator: { database: backend } });
  }, POSTGRES_STORY_MS);

  afterAll(async () => {
    await world?.close();
    await backend?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    "applies the planned migrations to every tenant and dev branch, recording each in neon_fleet.schema_migrations",
    async () => {
      const result = await up();
      expect(result.failures).toEqual([]);
      connections = result.outputs.connections as Record<string, string>;
      expect(versions()).toEqual(Object.fromEntries(SCHEMAS.map((s) => [s, "2"])));
      const rows = await sql<{ version: number; name: string }>(
        "globex",
        "select version, name from neon_fleet.schema_migrations order by version",
      );
      expect(rows).toEqual([
        { version: 1, name: "create_orders" },
        { version: 2, name: "add_order_note" },
      ]);
      expect(await sql("dev/feature-x", "select count(*)::int as n from orders")).toEqual([{ n: 0 }]);
    },
    POSTGRES_STORY_MS,
  );

  it(
    "previews a new migration on every tenant without opening a database connection",
    async () => {
      await sql("umbrella", "insert into orders (id, amount) values (1, -5)");
      addMigration(
        "0003_positive_amounts.sql",
        "-- Refunds are their own table from now on.\nALTER TABLE orders\n  ADD CONSTRAINT amount_positive CHECK (amount > 0);\n",
      );
      const before = backend.connections();
      const preview = await world.run("preview");
      expect(preview.ok).toBe(true);
      expect(backend.connections()).toBe(before);
      const summary = summarizePreview(readFileSync(world.previewFile, "utf8"), world.previewFile);
      expect(summary).toContain("Schema: 0003_positive_amounts pending on 4 tenants and 1 dev branch (canary: acme)");
    },
    POSTGRES_STORY_MS,
  );

  it(
    "a migration failing on one tenant leaves it at its last good version with the error named, and the others move on",
    async () => {
      const result = await up();
      expect(result.failures.map((f) => f.urn.split("::").at(-1))).toEqual(["umbrella"]);
      const message = result.failures[0]!.message;
      expect(message).toContain("tenant umbrella:");
      expect(message).toMatch(
        /tenant umbrella: \S*migrations\/0003_positive_amounts\.sql: check constraint "amount_positive" .*violated by some row \(SQLSTATE 23514\)/,
      );
      expect(message).toContain("stays at 0002");
      expect(versions()).toEqual({
        acme: "3",
        "dev/feature-x": "3",
        globex: "3",
        initech: "3",
        umbrella: "2 failed at 3",
      });
      // Rolled back: no row for 0003, no constraint.
      expect(await sql("umbrella", "select max(version)::int as v from neon_fleet.schema_migrations")).toEqual([
        { v: 2 },
      ]);
      const report = readSchemaStatus(readFileSync(world.stateFile, "utf8"), world.stateFile);
      expect(renderSchemaStatus(report).split("\n")[0]).toBe("4 at 0003, 1 failed at 0002: umbrella");
    },
    POSTGRES_STORY_MS,
  );

  it(
    "a failing canary stops the rollout: the rest of the fleet stays where it was",
    async () => {
      await sql("umbrella", "delete from orders");
      await sql("acme", "insert into orders (id, amount) values (1, 10)");
      addMigration("0004_require_note.sql", "ALTER TABLE orders\n  ALTER COLUMN note SET NOT NULL;\n");
      const result = await up();
      expect(result.failures.map((f) => f.urn.split("::").at(-1))).toEqual(["acme"]);
      expect(result.failures[0]!.message).toMatch(
        /tenant acme: \S*migrations\/0004_require_note\.sql: column "note" .*contains null values/,
      );
      // umbrella's data is fixed, but it is not retried while the canary fails.
      expect(versions()).toEqual({
        acme: "3 failed at 4",
        "dev/feature-x": "4",
        globex: "3",
        initech: "3",
        umbrella: "2 failed at 3",
      });
    },
    POSTGRES_STORY_MS,
  );

  it(
    "an applied migration edited afterwards is reported for the tenant and never run again",
    async () => {
      addMigration(
        "0001_create_orders.sql",
        readFileSync(path.join(world.plansDir, "migrations", "0001_create_orders.sql"), "utf8") +
          "CREATE INDEX ON orders (amount);\n",
      );
      const result = await up();
      // The dev branch is migrated first, so it reports the edit and the canary gate holds the fleet back.
      expect(result.failures.map((f) => f.urn.split("::").at(-1))).toEqual(["dev/feature-x"]);
      expect(result.failures[0]!.message).toContain(
        "tenant dev/feature-x: migration 0001 changed after it was applied",
      );
      const indexes = await sql<{ n: number }>(
        "dev/feature-x",
        "select count(*)::int as n from pg_indexes where tablename = 'orders'",
      );
      expect(indexes).toEqual([{ n: 1 }]);
      expect(await sql("dev/feature-x", "select count(*)::int as n from neon_fleet.schema_migrations")).toEqual([
        { n: 4 },
      ]);
      expect(versions()).toMatchObject({ "dev/feature-x": "4 failed at 1", globex: "3", initech: "3" });
    },
    POSTGRES_STORY_MS,
  );

  it(
    "refresh reads each database's version only with neon-fleet:refreshSchema",
    async () => {
      const before = backend.connections();
      expect((await world.run("refresh")).ok).toBe(true);
      expect(backend.connections()).toBe(before);
      expect(versions()["dev/feature-x"]).toBe("4 failed at 1");

      // Refresh configures the provider from the state, so the setting reaches it through an `up` first
      // (that `up` meets the same failures as the last one and changes no database).
      const withFlag = { "neon-fleet:refreshSchema": "true" };
      expect((await world.run("up", withFlag)).failures.map((f) => f.urn.split("::").at(-1))).toEqual([
        "dev/feature-x",
      ]);
      const afterUp = backend.connections();
      expect((await world.run("refresh", withFlag)).ok).toBe(true);
      expect(backend.connections()).toBeGreaterThan(afterUp);
      // The database's own table: dev/feature-x is at 4 (the edit marker is history), umbrella still behind at 2.
      expect(versions()).toMatchObject({ "dev/feature-x": "4", umbrella: "2 failed at 3", globex: "3" });
    },
    POSTGRES_STORY_MS,
  );
});
