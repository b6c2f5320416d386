import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { createPostgresBackend } from "../../emulator/postgres";
import type { DatabaseBackend } from "../../emulator/databaseBackend";
import { runEngine } from "../engine";
import { API_KEY, fleetWorld, type FleetWorld } from "./fleetWorld";
import { STORY_MS } from "../support/timeouts";

describe("a tenant's connection string from the stack outputs", () => {
  let backend: DatabaseBackend;
  let world: FleetWorld;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "fleet-connections-pg-"));
    backend = await createPostgresBackend({ dataDir, idleMs: 5_000 });
    world = await fleetWorld("small", { emulator: { database: backend } });
  }, STORY_MS);

  afterAll(async () => {
    await world?.close();
    await backend?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    "the local stack exports them as one secret, and each one reaches the tenant's own Postgres",
    async () => {
      const up = (showSecrets: boolean) =>
        runEngine({
          command: "up",
          plansDir: world.plansDir,
          stateFile: world.stateFile,
          jsonOut: world.previewFile,
          apiUrl: world.emulator.url,
          apiKey: API_KEY,
          env: { NEON_FLEET_RATE: "60000", NEON_FLEET_BURST: "1000" },
          showSecrets,
        });

      const redacted = await up(false);
      expect(redacted.ok).toBe(true);
      expect(redacted.outputs.connections).toBe("[secret]");

      const shown = await up(true);
      const connections = shown.outputs.connections as Record<string, string>;
      expect(Object.keys(connections).sort()).toEqual([
        "acme",
        "dev/feature-billing",
        "dev/feature-login",
        "globex",
        "initech",
      ]);
      expect(connections.acme).toMatch(/^postgresql:\/\/neondb_owner:[^@]+@127\.0\.0\.1:\d+\/neondb/);

      const client = new Client({ connectionString: connections.acme });
      await client.connect();
      try {
        await client.query("create table orders (id int primary key)");
        await client.query("insert into orders values (1), (2)");
        const { rows } = await client.query("select current_database() as db, count(*)::int as n from orders");
        expect(rows[0]).toEqual({ db: "neondb", n: 2 });
      } finally {
        await client.end();
      }

      // Another tenant's database is another database: acme's table is not there.
      const other = new Client({ connectionString: connections.globex });
      await other.connect();
      try {
        const { rows } = await other.query("select to_regclass('orders') as t");
        expect(rows[0].t).toBeNull();
      } finally {
        await other.end();
      }

      // The password never reaches the state file or the preview document in the clear.
      const password = new URL(connections.acme).password;
      expect(password.length).toBeGreaterThan(8);
      expect(readFileSync(world.stateFile, "utf8")).not.toContain(password);
      expect(readFileSync(world.previewFile, "utf8")).not.toContain(password);
    },
    STORY_MS,
  );
});
