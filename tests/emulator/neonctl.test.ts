import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client } from "pg";
import type { DatabaseBackend } from "../../emulator/databaseBackend";
import { type RunningEmulator, startEmulator } from "../../emulator/index";
import { createPostgresBackend } from "../../emulator/postgres";
import { NEONCTL_SESSION_MS } from "../support/timeouts";

/**
 * Neon's own CLI (`neonctl`, the pinned dev dependency) against the emulator with real Postgres branches:
 * every command a user exploring a local fleet types, each a separate process, as a user runs them.
 */

const NEONCTL = require.resolve("neonctl/bin/cli.js");
const DAY_MS = 24 * 3600 * 1000;

let workDir: string;
let backend: DatabaseBackend;
let emulator: RunningEmulator;
const clients: Client[] = [];

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "neon-fleet-neonctl-"));
  backend = await createPostgresBackend({ idleMs: 1_000 });
  emulator = await startEmulator({ database: backend, opMs: 50 });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await emulator?.close();
  await backend?.close();
  await rm(workDir, { recursive: true, force: true });
});

/**
 * Runs `neonctl ARGS` against the emulator and returns its standard output; a non-zero exit fails the test
 * with neonctl's own error. HOME, the config directory and the working directory are the test's, so nothing
 * of the machine's Neon setup is read or written; analytics are off (no network).
 */
async function neonctl(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      NEONCTL,
      ...args,
      "--api-host",
      emulator.url,
      "--api-key",
      "local-key",
      "--config-dir",
      join(workDir, "config"),
      "--no-analytics",
      "--no-color",
    ],
    { cwd: workDir, env: { PATH: process.env.PATH, HOME: workDir, CI: "true" }, timeout: 60_000 },
  );
  return stdout;
}

/** `neonctl ARGS --output json`, parsed. */
async function neonctlJson<T = Record<string, unknown>>(...args: string[]): Promise<T> {
  return JSON.parse(await neonctl(...args, "--output", "json")) as T;
}

/** Runs one query over a connection string and returns the first column of each row. */
async function column(uri: string, sql: string): Promise<unknown[]> {
  const client = new Client({ connectionString: uri });
  client.on("error", () => undefined);
  clients.push(client);
  await client.connect();
  try {
    return (await client.query(sql)).rows.map((r: Record<string, unknown>) => Object.values(r)[0]);
  } finally {
    await client.end();
  }
}

interface Branch {
  id: string;
  name: string;
  parent_id?: string;
  expires_at?: string;
  last_reset_at?: string;
}

describe("Neon's CLI against the emulator with --postgres", () => {
  it(
    "runs a session: project, branches, reset, rename, database, role, connection strings that connect, cleanup",
    async () => {
      const created = await neonctlJson<{ project: { id: string; name: string; region_id: string } }>(
        "projects",
        "create",
        "--name",
        "tenant-acme",
        "--region-id",
        "aws-eu-central-1",
      );
      expect(created.project).toMatchObject({ name: "tenant-acme", region_id: "aws-eu-central-1" });
      const projectId = created.project.id;
      const project = ["--project-id", projectId];
      const listedProjects = await neonctlJson<{ projects: { id: string }[]; shared_with_you: unknown[] }>(
        "projects",
        "list",
      );
      expect(listedProjects).toEqual({ projects: [expect.objectContaining({ id: projectId })], shared_with_you: [] });

      const featureA = await neonctlJson<{ branch: Branch }>("branches", "create", ...project, "--name", "feature-a");
      const expiresAt = new Date(Date.now() + 2 * DAY_MS);
      expiresAt.setUTCMilliseconds(0);
      const featureB = await neonctlJson<{ branch: Branch }>(
        "branches",
        "create",
        ...project,
        "--name",
        "feature-b",
        "--parent",
        "main",
        "--expires-at",
        expiresAt.toISOString(),
      );
      expect(featureB.branch.expires_at).toBe(expiresAt.toISOString());
      const branches = await neonctlJson<Branch[]>("branches", "list", ...project);
      const main = branches.find((b) => b.name === "main");
      expect(branches.map((b) => b.name)).toEqual(["main", "feature-a", "feature-b"]);
      expect(branches.map((b) => b.parent_id)).toEqual([undefined, main?.id, main?.id]);
      expect(branches.map((b) => b.expires_at)).toEqual([undefined, undefined, expiresAt.toISOString()]);

      // A table written on feature-a only, so the reset below can be seen in the branch's real data.
      const ownerUri = (await neonctl("connection-string", "feature-a", ...project, "--ssl", "omit")).trim();
      expect(ownerUri).toMatch(/^postgresql:\/\/neondb_owner:npg_\w+@127\.0\.0\.1:\d+\/neondb$/);
      await column(ownerUri, "create table scratch(note text)");
      const reset = await neonctlJson<Branch>("branches", "reset", "feature-a", "--parent", ...project);
      expect(reset).toMatchObject({ id: featureA.branch.id, name: "feature-a" });
      expect(reset.last_reset_at).toEqual(expect.any(String));
      expect(await column(ownerUri, "select count(*)::int from pg_tables where tablename = 'scratch'")).toEqual([0]);

      const renamed = await neonctlJson<Branch>("branches", "rename", "feature-b", "feature-b-v2", ...project);
      expect(renamed).toMatchObject({ id: featureB.branch.id, name: "feature-b-v2" });

      const database = await neonctlJson<{ name: string; owner_name: string }>(
        "databases",
        "create",
        ...project,
        "--branch",
        "feature-a",
        "--name",
        "appdb",
        "--owner-name",
        "neondb_owner",
      );
      expect(database).toMatchObject({ name: "appdb", owner_name: "neondb_owner" });
      const role = await neonctlJson<{ name: string; password: string }>(
        "roles",
        "create",
        ...project,
        "--branch",
        "feature-a",
        "--name",
        "app",
      );
      expect(role.name).toBe("app");
      expect(role.password).toMatch(/^npg_\w{12}$/);
      // Reads run side by side: each neonctl is a Node process that takes a while to start.
      const [databases, roles] = await Promise.all([
        neonctlJson<{ name: string }[]>("databases", "list", ...project, "--branch", "feature-a"),
        neonctlJson<{ name: string }[]>("roles", "list", ...project, "--branch", "feature-a"),
      ]);
      expect(databases.map((d) => d.name)).toEqual(["neondb", "appdb"]);
      expect(roles.map((r) => r.name)).toEqual(["neondb_owner", "app"]);

      const asApp = ["feature-a", ...project, "--role-name", "app", "--database-name", "appdb", "--ssl", "omit"];
      const [direct, pooled] = (
        await Promise.all([neonctl("connection-string", ...asApp), neonctl("connection-string", ...asApp, "--pooled")])
      ).map((out) => out.trim());
      expect(direct).toBe(`postgresql://app:${role.password}@${new URL(ownerUri).host}/appdb`);
      expect(pooled).toBe(direct);
      expect(await column(direct, "select current_database()")).toEqual(["appdb"]);
      expect(await column(pooled, "select 41 + 1")).toEqual([42]);

      const [operations, me, orgs] = await Promise.all([
        neonctlJson<{ action: string; status: string }[]>("operations", "list", ...project),
        neonctlJson<{ email: string; projects_limit: number }>("me"),
        neonctlJson<{ id: string }[]>("orgs", "list"),
      ]);
      expect(new Set(operations.map((op) => op.action))).toEqual(
        new Set(["create_timeline", "start_compute", "create_branch", "apply_config"]),
      );
      expect(me).toMatchObject({ email: "emulator@neon-fleet.invalid", projects_limit: 1000 });
      expect(orgs.map((o) => o.id)).toEqual(["org-emulator-default"]);

      const deleted = await neonctlJson<Branch>("branches", "delete", "feature-b-v2", ...project);
      expect(deleted.id).toBe(featureB.branch.id);
      expect((await neonctlJson<Branch[]>("branches", "list", ...project)).map((b) => b.name)).toEqual([
        "main",
        "feature-a",
      ]);
      const gone = await neonctlJson<{ id: string }>("projects", "delete", projectId);
      expect(gone.id).toBe(projectId);
      expect(await neonctlJson("projects", "list")).toEqual({ projects: [], shared_with_you: [] });
    },
    NEONCTL_SESSION_MS,
  );
});
