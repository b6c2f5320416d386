/**
 * Schema migrations at fleet scale: a fleet of `tenants` tenants, each a real Postgres (the emulator's
 * `--postgres` data plane), is onboarded (not timed), then one small migration is added and `up` applies it
 * everywhere through the engine double. Every tenant's database starts cold for the migration, as a suspended
 * Neon compute would. Run directly: `node dist/bench/migrations.js [TENANTS]`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmulator } from "../emulator";
import { createPostgresBackend } from "../emulator/postgres";
import { runEngine } from "../tests/engine";
import { writeGeneratedPlans } from "./planLoad";

/** Time to bring a fleet to one new schema version. */
export interface MigrationsBenchResult {
  tenants: number;
  seconds: number;
  tenantsPerSecond: number;
}

const API_KEY = "bench-api-key-not-a-real-secret-0123456789";
const RATE = { NEON_FLEET_RATE: "60000", NEON_FLEET_BURST: "1000" };

export async function benchMigrations(tenants = 200): Promise<MigrationsBenchResult> {
  const work = mkdtempSync(path.join(os.tmpdir(), `neon-fleet-bench-migrations-${tenants}-`));
  // Short idle time: databases of the onboarding stop before the migration, which then pays each cold start.
  const backend = await createPostgresBackend({ dataDir: path.join(work, "pg"), idleMs: 2_000 });
  const emulator = await startEmulator({
    ratePerMinute: 60_000,
    burstPerSecond: 1_000,
    opMs: 15,
    projectLimit: tenants + 10,
    database: backend,
  });
  try {
    const plansDir = await writeGeneratedPlans(work, tenants);
    const stateFile = path.join(work, "state.json");
    const up = async () => {
      const apiUrl = emulator.url;
      const result = await runEngine({ command: "up", plansDir, stateFile, apiUrl, apiKey: API_KEY, env: RATE });
      const firstErrors = result.failures.slice(0, 3).map((f) => f.message);
      if (!result.ok) throw new Error(`up of ${tenants} tenants failed: ${firstErrors.join("; ")}`);
    };
    await up();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    mkdirSync(path.join(plansDir, "migrations"));
    const migration = "CREATE TABLE invoices (id bigint PRIMARY KEY, total_cents bigint NOT NULL);\n";
    writeFileSync(path.join(plansDir, "migrations", "0001_create_invoices.sql"), migration);
    const started = process.hrtime.bigint();
    await up();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const tenantsPerSecond = Math.round((tenants / seconds) * 100) / 100;
    return { tenants, seconds: Math.round(seconds * 10) / 10, tenantsPerSecond };
  } finally {
    await emulator.close();
    await backend.close();
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchMigrations(Number(process.argv[2] ?? 200)).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
