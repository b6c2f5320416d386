import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = join(__dirname, "..", "..", "bin", "neon-fleet.js");

/** Starts `neon-fleet emulator ARGS` and resolves with the process and the first line it prints. */
function startCli(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; firstLine: string }> {
  const child = spawn(process.execPath, [bin, "emulator", ...args]);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("\n")) resolve({ child, firstLine: out.split("\n")[0] });
    });
    child.once("exit", (code) => reject(new Error(`emulator exited with ${code} before listening`)));
  });
}

describe("neon-fleet emulator on the command line", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "neon-fleet-cli-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints exactly where it listens, serves the API, and writes its state when stopped with SIGTERM", async () => {
    const stateFile = join(dir, "neon.json");
    const { child, firstLine } = await startCli([
      "--port",
      "0",
      "--state",
      stateFile,
      "--op-ms",
      "10",
      "--api-key",
      "cli-key",
    ]);
    expect(firstLine).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\/api\/v2$/);
    const url = firstLine.slice("listening on ".length);
    const created = await fetch(`${url}/projects`, {
      method: "POST",
      headers: { authorization: "Bearer cli-key", "content-type": "application/json" },
      body: JSON.stringify({ project: { name: "tenant-cli" } }),
    });
    expect(created.status).toBe(201);
    expect((await fetch(`${url}/projects`, { headers: { authorization: "Bearer other" } })).status).toBe(401);

    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(JSON.parse(readFileSync(stateFile, "utf8")).projects.map((p: { name: string }) => p.name)).toEqual([
      "tenant-cli",
    ]);
  });

  it.each([
    [["--rate", "fast"], /^--rate must be a whole number/],
    [["--bogus"], /unknown option '--bogus'/],
    [["--faults", "503=2"], /^--faults: 503=2 must be a probability from 0 to 1$/m],
  ])("refuses %j with one line and exit code 2", (args, message) => {
    const run = spawnSync(process.execPath, [bin, "emulator", ...args], { encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });
});
