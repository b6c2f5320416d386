import { fork } from "node:child_process";
import { Agent, request } from "node:http";
import { startEmulator } from "../emulator/index";

/** Requests sent by the benchmark, and how many are in flight at once. */
const REQUESTS = 30_000;
const CONCURRENCY = 32;
const WARMUP = 2_000;
const SERVE_FLAG = "--serve-emulator";

function get(agent: Agent, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { authorization: "Bearer bench" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Sends `count` GETs to `url` with `CONCURRENCY` in flight; rejects on any non-200 answer. */
async function load(agent: Agent, url: string, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next++ < count) {
      const status = await get(agent, url);
      if (status !== 200) throw new Error(`GET ${url} answered ${status}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** Starts an unthrottled emulator in a child process (its own core, as in real use) and returns its URL. */
function serveInChild(): Promise<{ url: string; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [SERVE_FLAG], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    child.once("error", reject);
    child.once("message", (url) => resolve({ url: String(url), stop: () => child.kill() }));
  });
}

/**
 * Throughput of the emulator on its hottest read, `GET /projects/{project_id}`: the emulator runs in a
 * child process, the load comes from this one over keep-alive connections.
 */
export async function benchEmulatorThroughput(): Promise<{ requestsPerSecond: number }> {
  const server = await serveInChild();
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const created = await fetch(`${server.url}/projects`, {
      method: "POST",
      headers: { authorization: "Bearer bench", "content-type": "application/json" },
      body: JSON.stringify({ project: { name: "tenant-bench" } }),
    });
    const { project } = (await created.json()) as { project: { id: string } };
    const url = `${server.url}/projects/${project.id}`;
    await load(agent, url, WARMUP);
    const started = process.hrtime.bigint();
    await load(agent, url, REQUESTS);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { requestsPerSecond: Math.round(REQUESTS / seconds) };
  } finally {
    agent.destroy();
    server.stop();
  }
}

if (require.main === module) {
  if (process.argv.includes(SERVE_FLAG)) {
    void startEmulator({
      ratePerMinute: Number.MAX_SAFE_INTEGER,
      burstPerSecond: Number.MAX_SAFE_INTEGER,
      opMs: 0,
    }).then((e) => process.send?.(e.url));
  } else {
    void benchEmulatorThroughput().then((result) => process.stdout.write(`${JSON.stringify(result)}\n`));
  }
}
