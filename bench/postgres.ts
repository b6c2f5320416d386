/**
 * The `--postgres` data plane's cost per database: how long a branch's first connection takes (its PGlite
 * starting from the template snapshot in a worker thread, then SCRAM and the first query) and how much
 * memory each running database holds. The one-off template build (initdb) is paid before measuring.
 * Run directly: `node dist/bench/postgres.js [DATABASES]`.
 */
import { performance } from "node:perf_hooks";
import { Client } from "pg";
import { createPostgresBackend } from "../emulator/postgres";

/** One measurement over `databases` branches running at the same time. */
export interface PostgresBenchResult {
  startMsPerDatabase: number;
  memoryMiBPerDatabase: number;
  databases: number;
}

const CREDENTIALS = { databaseName: "neondb", roleName: "neondb_owner", password: "bench-password" };

/** Starts `databases` branch databases one after another, each through a real `pg` connection, and keeps them all open. */
export async function benchPostgres(databases = 4): Promise<PostgresBenchResult> {
  const backend = await createPostgresBackend({ idleMs: 600_000 });
  const clients: Client[] = [];
  const open = async (projectId: string) => {
    await backend.branchCreated({ projectId, branchId: "br-main", ...CREDENTIALS });
    const { host, port } = backend.address(projectId, "br-main");
    const client = new Client({
      host,
      port,
      user: CREDENTIALS.roleName,
      password: CREDENTIALS.password,
      database: CREDENTIALS.databaseName,
    });
    await client.connect();
    await client.query("select 1");
    clients.push(client);
  };
  try {
    await open("p-warmup");
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    for (let i = 0; i < databases; i++) await open(`p-bench-${i}`);
    const elapsed = performance.now() - started;
    const rssAfter = process.memoryUsage().rss;
    return {
      startMsPerDatabase: Math.round(elapsed / databases),
      memoryMiBPerDatabase: Math.round((rssAfter - rssBefore) / databases / 2 ** 20),
      databases,
    };
  } finally {
    await Promise.all(clients.map((c) => c.end()));
    await backend.close();
  }
}

if (require.main === module) {
  const databases = Number(process.argv[2] ?? 4);
  benchPostgres(databases).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 1;
    },
  );
}
