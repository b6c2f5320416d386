import { execFileSync } from "child_process";
import path from "path";

const bin = path.join(__dirname, "..", "bin", "neon-fleet.js");

describe("the neon-fleet command", () => {
  it("lists every command of the contract in --help", () => {
    const help = execFileSync(process.execPath, [bin, "--help"], { encoding: "utf8" });
    for (const command of ["validate", "schema", "summarize", "emulator", "import", "usage", "shards", "restore"]) {
      expect(help).toContain(command);
    }
  });
});
