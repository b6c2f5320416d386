import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PlanErrors } from "../../provider/errors";
import { loadPlans, migrationDigest, planJsonSchema } from "../../provider/plans";
import { sqlPosition } from "../../provider/schemaMigrations/apply";
import { appliedDigest, firstEdited, pendingMigrations, schemaNeedsApply } from "../../provider/schemaMigrations/plan";
import { readSchemaStatus, renderSchemaStatus } from "../../provider/schemaMigrations/status";
import { summarizePreview } from "../../tools/summarize";
import { provider, type TenantSchemaInputs, type TenantSchemaOutputs } from "../../provider/resources/tenantSchema";

const m = (version: number, name: string, sql = `select ${version};`) => ({
  version,
  name,
  sha256: migrationDigest(sql),
});
const planned = [m(1, "create_orders"), m(2, "add_note"), m(3, "positive_amounts")];

function inputs(over: Partial<TenantSchemaInputs> = {}): TenantSchemaInputs {
  return {
    tenantId: "acme",
    stage: "fleet",
    migrations: planned,
    plansDir: "/plans",
    connection: "postgresql://neondb_owner:pw@127.0.0.1:5432/neondb",
    database: "neondb",
    role: "neondb_owner",
    statementTimeoutSeconds: 300,
    ...over,
  };
}

function recordedAt(version: number, over: Partial<TenantSchemaOutputs> = {}): TenantSchemaOutputs {
  return { ...inputs(), version, digest: appliedDigest(planned.filter((p) => p.version <= version)), ...over };
}

describe("migration planning", () => {
  it("pending migrations are the planned versions beyond the recorded one, in order", () => {
    expect(pendingMigrations(planned, 1).map((p) => p.version)).toEqual([2, 3]);
    expect(pendingMigrations(planned, 3)).toEqual([]);
  });

  it("an applied migration whose file changed is found by its sha256", () => {
    const applied = [
      planned[0]!,
      { ...planned[1]!, sha256: migrationDigest("alter table orders add column note text;") },
    ];
    expect(firstEdited(planned, applied)?.planned.version).toBe(2);
    expect(firstEdited(planned, planned.slice(0, 2))).toBeUndefined();
  });

  it("a tenant needs its database touched only when something is pending or an applied file changed", () => {
    expect(schemaNeedsApply(planned, 3, appliedDigest(planned))).toBe(false);
    expect(schemaNeedsApply(planned, 2, appliedDigest(planned.slice(0, 2)))).toBe(true);
    const edited = [planned[0]!, m(2, "add_note", "-- edited"), planned[2]!];
    expect(schemaNeedsApply(edited, 3, appliedDigest(planned))).toBe(true);
    // Migrations removed from the plans are not an edit: the database keeps what it has.
    expect(schemaNeedsApply(planned.slice(0, 2), 3, appliedDigest(planned))).toBe(false);
  });

  it("Postgres's error position becomes the line and column in the migration file", () => {
    const text = "CREATE TABLE invoices (id int);\nALTER TABLE invoices ADD COLUMNN total int;\n";
    expect(sqlPosition(text, String(text.indexOf("total") + 1))).toBe(":2:34");
    expect(sqlPosition(text, undefined)).toBe("");
  });
});

describe("TenantSchema diff (offline)", () => {
  it("a new planned migration is a change", async () => {
    expect((await provider.diff!("acme", recordedAt(2), inputs())).changes).toBe(true);
  });

  it("a tenant at the planned version with matching files has no change", async () => {
    expect((await provider.diff!("acme", recordedAt(3), inputs())).changes).toBe(false);
  });

  it("a tenant whose last apply failed is retried", async () => {
    const failed = recordedAt(3, { failed: { version: 4, name: "x", message: "boom" } });
    expect((await provider.diff!("acme", failed, inputs())).changes).toBe(true);
  });

  it("another database replaces the schema; a new connection string or role only updates", async () => {
    expect((await provider.diff!("acme", recordedAt(3), inputs({ database: "app" }))).replaces).toEqual(["database"]);
    const rotated = await provider.diff!(
      "acme",
      recordedAt(3),
      inputs({ connection: "postgresql://neondb_owner:new@127.0.0.1:5432/neondb" }),
    );
    expect(rotated).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  it("the canary flag alone is no change", async () => {
    expect((await provider.diff!("acme", recordedAt(3), inputs({ stage: "canary" }))).changes).toBe(false);
  });
});

describe("migration files in the plans", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "neon-fleet-migrations-"));
    writeFileSync(
      path.join(dir, "fleet.yaml"),
      "fleet: { projectNamePrefix: t- }\nresidency: { us: [aws-us-east-2] }\ndefaults: { residency: us, tier: free, pgVersion: 17 }\n",
    );
    writeFileSync(
      path.join(dir, "tiers.yaml"),
      "tiers:\n  free: { compute: { min: 0.25, max: 0.25 }, suspendAfter: 5m, computeTime: 100h, activeTime: unlimited, storage: 512MiB, dataTransfer: 5GiB, writtenData: 1GiB }\n",
    );
    mkdirSync(path.join(dir, "tenants"));
    writeFileSync(path.join(dir, "tenants", "a.yaml"), "tenants:\n  - id: acme\n");
    mkdirSync(path.join(dir, "migrations"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("are planned in version order with their sha256, and the rollout defaults apply", async () => {
    writeFileSync(path.join(dir, "migrations", "0011_b.sql"), "select 2;\n");
    writeFileSync(path.join(dir, "migrations", "0010_a.sql"), "select 1;\n");
    const fleet = await loadPlans(dir);
    expect(fleet.migrations.planned).toEqual([
      { version: 10, name: "a", sha256: migrationDigest("select 1;\n") },
      { version: 11, name: "b", sha256: migrationDigest("select 2;\n") },
    ]);
    expect(fleet.migrations).toMatchObject({
      canary: [],
      database: "neondb",
      role: "neondb_owner",
      statementTimeoutSeconds: 300,
    });
  });

  it("every problem is reported at once, one FILE:LINE:COL line each", async () => {
    writeFileSync(path.join(dir, "migrations", "0001_a.sql"), "select 1;\n");
    writeFileSync(path.join(dir, "migrations", "0003_c.sql"), "");
    const err = await loadPlans(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlanErrors);
    expect((err as PlanErrors).errors.map((e) => `${path.basename(e.file)}:${e.line}:${e.col}: ${e.problem}`)).toEqual([
      "0003_c.sql:1:1: is empty; a migration holds at least one SQL statement",
    ]);
  });
});

describe("migrations status", () => {
  const resource = (tenant: string, version: number, failed?: number) => ({
    urn: `urn:pulumi:prod::neon-fleet::pulumi-nodejs:dynamic/neon:TenantSchema::${tenant}`,
    type: "pulumi-nodejs:dynamic/neon:TenantSchema",
    outputs: {
      tenantId: tenant,
      stage: "fleet",
      version,
      migrations: planned,
      ...(failed ? { failed: { version: failed, name: "x", message: `tenant ${tenant}: boom` } } : {}),
    },
  });

  it("groups tenants of a pulumi stack export by version, failed ones named", () => {
    const doc = {
      version: 3,
      deployment: { resources: [resource("a", 3), resource("b", 3), resource("c", 2, 3), resource("d", 2, 3)] },
    };
    const report = readSchemaStatus(JSON.stringify(doc), "export.json");
    expect(renderSchemaStatus(report)).toBe(
      "2 at 0003, 2 failed at 0002: c, d\n  c: tenant c: boom\n  d: tenant d: boom\n",
    );
  });
});

describe("the plans' JSON Schema", () => {
  it("describes fleet.yaml's migrations keys", () => {
    const fleetFile = (
      planJsonSchema().$defs as Record<string, { properties: Record<string, { properties?: Record<string, unknown> }> }>
    ).fleetFile;
    expect(Object.keys(fleetFile.properties.migrations?.properties ?? {})).toEqual([
      "canary",
      "database",
      "role",
      "statementTimeout",
    ]);
  });
});

describe("the pull-request summary", () => {
  it("says which migrations are pending on how many tenants, naming the canaries", () => {
    const step = (name: string, stage: string, version: number) => ({
      op: "update",
      urn: `urn:pulumi:us::neon-fleet::pulumi-nodejs:dynamic/neon:TenantSchema::${name}`,
      oldState: { urn: "", type: "pulumi-nodejs:dynamic/neon:TenantSchema", inputs: {}, outputs: { version } },
      newState: {
        urn: "",
        type: "pulumi-nodejs:dynamic/neon:TenantSchema",
        inputs: { stage, migrations: [...planned, m(4, "add_invoices")] },
      },
    });
    const steps = [
      step("acme", "canary", 3),
      step("globex", "canary", 3),
      ...Array.from({ length: 318 }, (_, i) => step(`t${i}`, "fleet", 3)),
    ];
    const summary = summarizePreview(JSON.stringify({ steps, changeSummary: { update: 320 } }), "preview.json");
    expect(summary).toContain("Schema: 0004_add_invoices pending on 320 tenants (canary: acme, globex)");
  });
});
