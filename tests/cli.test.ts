import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";

const bin = path.join(__dirname, "..", "bin", "neon-fleet.js");

describe("the neon-fleet command", () => {
  it("lists every command of the contract in --help", () => {
    const help = execFileSync(process.execPath, [bin, "--help"], { encoding: "utf8" });
    for (const command of ["validate", "schema", "summarize", "emulator", "import", "usage", "shards", "restore"]) {
      expect(help).toContain(command);
    }
  });

  it("loads a command's modules only when it runs: validate never loads the emulator", () => {
    const root = path.join(__dirname, "..");
    const script =
      'require("./dist/cli/index.js").main(["node", "neon-fleet", "validate", "plans"]).then(() => {' +
      '  const loaded = Object.keys(require.cache).map((f) => f.split("/dist/")[1] ?? "");' +
      '  process.stderr.write(JSON.stringify(loaded.filter((f) => f.startsWith("emulator/"))));' +
      "});";
    const run = spawnSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" });
    expect(run.stdout).toContain("ok: ");
    expect(JSON.parse(run.stderr)).toEqual([]);
  });
});
