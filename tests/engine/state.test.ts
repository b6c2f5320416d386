/**
 * The engine double's state file keeps secrets encrypted and refuses a wrong passphrase with a line
 * that says what to do, instead of handing garbage to the provider.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { makeSecret } from "./properties";
import { PassphraseCrypter, StateDecryptionError } from "./secrets";
import { loadState, saveState, type ResourceState } from "./state";

const resource: ResourceState = {
  urn: "urn:pulumi:local::neon-fleet::pulumi-nodejs:dynamic/neon:TenantProject::acme",
  custom: true,
  type: "pulumi-nodejs:dynamic/neon:TenantProject",
  id: "p-1",
  inputs: { tenantId: "acme" },
  outputs: { tenantId: "acme", connectionUri: makeSecret("postgres://u:hunter2@h/db") },
  dependencies: [],
};

describe("engine double state file", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "engine-state-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("stores connection strings only as ciphertext and reads them back with the same passphrase", async () => {
    const file = path.join(dir, "state.json");
    await saveState(file, "neon-fleet", "local", PassphraseCrypter.create("pass"), [resource]);
    expect(readFileSync(file, "utf8")).not.toContain("hunter2");
    const loaded = await loadState(file, "pass");
    expect(loaded.resources).toEqual([resource]);
  });

  it("refuses a wrong PULUMI_CONFIG_PASSPHRASE with one line naming the file", async () => {
    const file = path.join(dir, "state.json");
    await saveState(file, "neon-fleet", "local", PassphraseCrypter.create("right"), [resource]);
    await expect(loadState(file, "wrong")).rejects.toThrow(StateDecryptionError);
    await expect(loadState(file, "wrong")).rejects.toThrow(
      `${file}: cannot decrypt secrets; set PULUMI_CONFIG_PASSPHRASE`,
    );
  });

  it("treats a missing file as an empty stack", async () => {
    expect((await loadState(path.join(dir, "none.json"), "")).resources).toEqual([]);
  });
});
