import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createApiClient } from "@neondatabase/api-client";
import { Client } from "pg";
import type { DatabaseBackend } from "../../emulator/databaseBackend";
import { startEmulator, type RunningEmulator } from "../../emulator/index";
import { createPostgresBackend } from "../../emulator/postgres";

const PSQL = "/usr/bin/psql";
const OWNER = { databaseName: "neondb", roleName: "neondb_owner" };

let dataDir: string;
let backend: DatabaseBackend;
let emulator: RunningEmulator;
const clients: Client[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "neon-fleet-pg-"));
  backend = await createPostgresBackend({ dataDir, idleMs: 300 });
  emulator = await startEmulator({ database: backend, opMs: 0 });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await emulator?.close();
  await backend?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** A connected `pg` client; connection losses are expected in some stories, so they never crash the test. */
async function connect(uri: string): Promise<Client> {
  const client = new Client({ connectionString: uri });
  client.on("error", () => undefined);
  clients.push(client);
  await client.connect();
  return client;
}

/** The SQLSTATE (or socket error code) a connection attempt fails with. */
async function refusal(uri: string): Promise<string> {
  const client = new Client({ connectionString: uri });
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (err) {
    return (err as { code: string }).code;
  }
  await client.end();
  return "connected";
}

/** The connection string the emulator would build for a branch the test registered with a backend directly. */
function uriOf(
  projectId: string,
  branchId: string,
  password: string,
  { via = backend, user = OWNER.roleName, database = OWNER.databaseName } = {},
): string {
  const { host, port } = via.address(projectId, branchId);
  return `postgresql://${user}:${password}@${host}:${port}/${database}?sslmode=disable`;
}

async function rows(client: Client, sql: string): Promise<unknown[]> {
  return (await client.query(sql)).rows.map((r: Record<string, unknown>) => Object.values(r)[0]);
}

describe("neon-fleet emulator --postgres", () => {
  it("a project's branches are real databases: copy on create, isolated writes, reset to parent, delete frees them", async () => {
    const api = createApiClient({ apiKey: "test-key", baseURL: emulator.url });
    const created = await api.createProject({
      project: { name: "tenant-acme", region_id: "aws-us-east-2", pg_version: 17 },
    });
    const projectId = created.data.project.id;
    const mainId = created.data.branch.id;
    const main = await connect(created.data.connection_uris[0].connection_uri);
    expect((await main.query("select current_database() as db, current_user as role")).rows).toEqual([
      { db: "neondb", role: "neondb_owner" },
    ]);
    await main.query("create table notes(body text)");
    await main.query("insert into notes values ('before branching')");

    const branch = await api.createProjectBranch(projectId, {
      branch: { name: "feature", parent_id: mainId },
      endpoints: [{ type: "read_write" as never }],
    });
    const branchId = branch.data.branch.id;
    await main.query("insert into notes values ('after branching')");
    const feature = await connect(branch.data.connection_uris![0].connection_uri);
    expect(await rows(feature, "select body from notes order by 1")).toEqual(["before branching"]);
    await feature.query("insert into notes values ('feature only')");
    expect(await rows(main, "select body from notes order by 1")).toEqual(["after branching", "before branching"]);

    await api.restoreProjectBranch(projectId, branchId, { source_branch_id: mainId });
    await expect(feature.query("select 1")).rejects.toThrow();
    const reset = await connect(branch.data.connection_uris![0].connection_uri);
    expect(await rows(reset, "select body from notes order by 1")).toEqual(["after branching", "before branching"]);
    await reset.end();

    await api.deleteProjectBranch({ projectId, branchId });
    expect(await refusal(branch.data.connection_uris![0].connection_uri)).toBe("ECONNREFUSED");
    expect(await rows(main, "select count(*)::int from notes")).toEqual([2]);
  });

  (existsSync(PSQL) ? test : test.skip)("psql connects with the connection string the emulator hands out", async () => {
    const api = createApiClient({ apiKey: "test-key", baseURL: emulator.url });
    const created = await api.createProject({ project: { name: "tenant-psql" } });
    const { stdout } = await promisify(execFile)(PSQL, [
      created.data.connection_uris[0].connection_uri,
      "-Atc",
      "select current_database() || ' ' || current_user",
    ]);
    expect(stdout.trim()).toBe("neondb neondb_owner");
  });

  it("a wrong password, another role or another database is refused before reaching the data", async () => {
    await backend.branchCreated({ projectId: "p-auth", branchId: "br-main", ...OWNER, password: "right-password" });
    expect(await refusal(uriOf("p-auth", "br-main", "wrong-password"))).toBe("28P01");
    expect(await refusal(uriOf("p-auth", "br-main", "right-password", { user: "postgres" }))).toBe("28P01");
    expect(await refusal(uriOf("p-auth", "br-main", "right-password", { database: "postgres" }))).toBe("3D000");
  });

  it("two clients of one branch never see each other's open transaction", async () => {
    await backend.branchCreated({ projectId: "p-tx", branchId: "br-main", ...OWNER, password: "pw" });
    const alice = await connect(uriOf("p-tx", "br-main", "pw"));
    const bob = await connect(uriOf("p-tx", "br-main", "pw"));
    await alice.query("create table t(who text)");
    await alice.query("begin");
    await alice.query("insert into t values ('alice')");
    const bobsInsert = bob.query("insert into t values ('bob')");
    await alice.query("rollback");
    await bobsInsert;
    expect(await rows(alice, "select who from t")).toEqual(["bob"]);
  });

  it("an idle branch scales to zero into the data directory and its data comes back, also after a restart", async () => {
    await backend.branchCreated({ projectId: "p-idle", branchId: "br-main", ...OWNER, password: "pw" });
    const client = await connect(uriOf("p-idle", "br-main", "pw"));
    await client.query("create table kept(x int); insert into kept values (42)");
    await client.end();
    await waitFor(async () => (await readdir(dataDir)).includes("p-idle_br-main.tar.gz"));
    const again = await connect(uriOf("p-idle", "br-main", "pw"));
    expect(await rows(again, "select x from kept")).toEqual([42]);
    await again.end();

    const restarted = await createPostgresBackend({ dataDir });
    try {
      await restarted.branchCreated({ projectId: "p-idle", branchId: "br-main", ...OWNER, password: "pw" });
      const afterRestart = await connect(uriOf("p-idle", "br-main", "pw", { via: restarted }));
      expect(await rows(afterRestart, "select x from kept")).toEqual([42]);
      await afterRestart.end();
    } finally {
      await restarted.close();
    }
  });

  it("past the running cap, starting a branch stops the least recently used idle one, which keeps its data", async () => {
    const capped = await createPostgresBackend({ dataDir, maxRunning: 1, idleMs: 600_000 });
    const uri = (projectId: string) => uriOf(projectId, "br-main", "pw", { via: capped });
    try {
      await capped.branchCreated({ projectId: "p-cap-a", branchId: "br-main", ...OWNER, password: "pw" });
      await capped.branchCreated({ projectId: "p-cap-b", branchId: "br-main", ...OWNER, password: "pw" });
      const a = await connect(uri("p-cap-a"));
      await a.query("create table kept(x int); insert into kept values (7)");
      await a.end();
      expect(await readdir(dataDir)).not.toContain("p-cap-a_br-main.tar.gz");
      const b = await connect(uri("p-cap-b"));
      expect(await readdir(dataDir)).toContain("p-cap-a_br-main.tar.gz");
      await b.end();
      const again = await connect(uri("p-cap-a"));
      expect(await rows(again, "select x from kept")).toEqual([7]);
      await again.end();
    } finally {
      await capped.close();
    }
  });

  it("roles and databases made through the API log in with their own passwords and hold their own data", async () => {
    await backend.branchCreated({ projectId: "p-roles", branchId: "br-main", ...OWNER, password: "owner-pw" });
    const owner = { name: OWNER.roleName, password: "owner-pw" };
    await backend.rolesChanged?.("p-roles", "br-main", [owner, { name: "app", password: "app-pw" }]);
    const neondb = { name: OWNER.databaseName, ownerName: OWNER.roleName };
    await backend.databasesChanged?.("p-roles", "br-main", [neondb, { name: "appdb", ownerName: "app" }]);
    const app = await connect(uriOf("p-roles", "br-main", "app-pw", { user: "app", database: "appdb" }));
    expect(await rows(app, "select current_database()")).toEqual(["appdb"]);
    await app.query("create table only_in_appdb(x int)");
    await app.end();
    const main = await connect(uriOf("p-roles", "br-main", "owner-pw"));
    expect(await rows(main, "select count(*)::int from pg_tables where tablename = 'only_in_appdb'")).toEqual([0]);
    await main.end();

    // A child branch takes its parent's roles and passwords, whatever the control plane passes as the owner's.
    const devBranch = { projectId: "p-roles", branchId: "br-dev", parentBranchId: "br-main", ...OWNER, password: "x" };
    await backend.branchCreated(devBranch);
    const child = await connect(uriOf("p-roles", "br-dev", "app-pw", { user: "app", database: "appdb" }));
    expect(await rows(child, "select count(*)::int from pg_tables where tablename = 'only_in_appdb'")).toEqual([1]);
    await child.end();

    await backend.rolesChanged?.("p-roles", "br-main", [owner, { name: "app", password: "new-pw" }]);
    expect(await refusal(uriOf("p-roles", "br-main", "app-pw", { user: "app", database: "appdb" }))).toBe("28P01");
    await backend.databasesChanged?.("p-roles", "br-main", [neondb]);
    expect(await refusal(uriOf("p-roles", "br-main", "new-pw", { user: "app", database: "appdb" }))).toBe("3D000");
    expect(await refusal(uriOf("p-roles", "br-dev", "app-pw", { user: "app", database: "appdb" }))).toBe("connected");
  });

  it("a restore to a time rewinds every database of the branch to that second", async () => {
    const branch = {
      projectId: "p-pitr",
      branchId: "br-main",
      ...OWNER,
      password: "pw",
      historyRetentionSeconds: 3600,
    };
    await backend.branchCreated(branch);
    const neondb = { name: OWNER.databaseName, ownerName: OWNER.roleName };
    await backend.databasesChanged?.("p-pitr", "br-main", [neondb, { name: "appdb", ownerName: OWNER.roleName }]);
    const uris = [uriOf("p-pitr", "br-main", "pw"), uriOf("p-pitr", "br-main", "pw", { database: "appdb" })];
    const before = await Promise.all(uris.map(connect));
    for (const client of before) {
      await client.query("select 1");
      await client.query("create table t(v text)");
      await client.query("insert into t values ('kept')");
    }
    await nextSecond();
    const at = Date.now();
    await nextSecond();
    for (const client of before) await client.query("insert into t values ('undone')");
    await backend.branchRestoredToTime("p-pitr", "br-main", at);
    for (const uri of uris) {
      const client = await connect(uri);
      expect(await rows(client, "select v from t order by 1")).toEqual(["kept"]);
      await client.end();
    }
  });

  it("deleting a project frees every branch's port and data", async () => {
    await backend.branchCreated({ projectId: "p-gone", branchId: "br-main", ...OWNER, password: "pw" });
    await backend.branchCreated({
      projectId: "p-gone",
      branchId: "br-dev",
      parentBranchId: "br-main",
      ...OWNER,
      password: "pw",
    });
    const uris = [uriOf("p-gone", "br-main", "pw"), uriOf("p-gone", "br-dev", "pw")];
    expect((await readdir(dataDir)).filter((f) => f.startsWith("p-gone"))).toEqual(["p-gone_br-dev.tar.gz"]);
    await backend.projectDeleted("p-gone");
    expect(await Promise.all(uris.map(refusal))).toEqual(["ECONNREFUSED", "ECONNREFUSED"]);
    expect((await readdir(dataDir)).filter((f) => f.startsWith("p-gone"))).toEqual([]);
    expect(() => backend.address("p-gone", "br-main")).toThrow(/has no database/);
  });
});

/** Waits until the wall clock is in a later second than now: history keeps one state per second. */
async function nextSecond(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1010 - (Date.now() % 1000)));
}

/** Polls a condition (bounded), for effects that happen on a timer such as the idle stop. */
async function waitFor(condition: () => Promise<boolean>, attempts = 300): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("condition not met in time");
}
