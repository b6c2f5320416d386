/**
 * The engine double drives the real dynamic-provider server the way `pulumi up` would. These stories
 * run the fixture program (tests/fixtures/engine, compiled to dist/ by `npm test`) whose provider
 * records every call it receives and keeps its "cloud" in a JSON file.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { runEngine, type EngineRunResult } from "./index";
import { program, root, Sandbox, stackUrn, TYPE, urn } from "./sandbox";
import { FAILED_RUN_MS } from "../support/timeouts";

const opsOf = (r: EngineRunResult, name: string): string[] =>
  r.preview.steps.filter((s) => s.urn === urn(name)).map((s) => s.op);

let box: Sandbox;
beforeAll(() => {
  if (!existsSync(program))
    throw new Error(`${program} is missing: run \`npx tsc -p .\` (npm test does) before these tests`);
});
beforeEach(() => (box = new Sandbox()));
afterEach(() => box.dispose());

describe("engine double", () => {
  it("up creates resources in dependency order, and a second up is all `same` with no writes", async () => {
    const spec = [
      { name: "b", value: "1" },
      { name: "a", value: "2", dependsOn: ["b"] },
    ];
    const first = await box.run("up", spec);
    expect(first.ok).toBe(true);
    expect(first.calls.filter((c) => c.startsWith("create"))).toEqual(["create b", "create a"]);
    expect(first.preview.changeSummary).toEqual({ create: 4 }); // stack, default provider, b, a
    expect(box.cloud()).toEqual({ "b-k1": "1", "a-k1": "2" });

    const second = await box.run("up", spec);
    expect(second.ok).toBe(true);
    expect(second.preview.changeSummary).toEqual({ same: 4 });
    expect(second.calls.filter((c) => !c.startsWith("check") && !c.startsWith("diff"))).toEqual([]);
  });

  it("a changed value is an update naming the property; a changed key is a replacement, delete-before-replace when asked", async () => {
    await box.run("up", [
      { name: "a", value: "1" },
      { name: "d", value: "1", deleteBeforeReplace: true },
    ]);

    const updated = await box.run("up", [
      { name: "a", value: "2" },
      { name: "d", value: "1", deleteBeforeReplace: true },
    ]);
    const step = updated.preview.steps.find((s) => s.urn === urn("a"));
    // As in a real `preview --json`: the dynamic provider names no changed keys, so no diffReasons/detailedDiff.
    expect(step).toMatchObject({ op: "update" });
    expect(step).not.toHaveProperty("diffReasons");
    expect(step).not.toHaveProperty("detailedDiff");
    expect(updated.calls).toContain("update a");

    const replaced = await box.run("up", [
      { name: "a", value: "2", key: "k2" },
      { name: "d", value: "1", key: "k2", deleteBeforeReplace: true },
    ]);
    expect(replaced.ok).toBe(true);
    expect(opsOf(replaced, "a")).toEqual(["create-replacement", "replace", "delete-replaced"]);
    expect(replaced.preview.steps.find((s) => s.urn === urn("a") && s.op === "replace")?.replaceReasons).toEqual([
      "key",
    ]);
    const writes = replaced.calls.filter((c) => /^(create|delete)/.test(c));
    expect(writes.indexOf("create a")).toBeLessThan(writes.indexOf("delete a"));
    expect(writes.indexOf("delete d")).toBeLessThan(writes.indexOf("create d"));
    expect(box.cloud()).toEqual({ "a-k2": "2", "d-k2": "1" });
    expect(replaced.preview.changeSummary).toMatchObject({ replace: 2 });
  });

  it("removing resources deletes dependents first; retainOnDelete leaves the resource in the cloud", async () => {
    await box.run("up", [
      { name: "b", value: "1" },
      { name: "a", value: "1", dependsOn: ["b"] },
      { name: "r", value: "1", retainOnDelete: true },
    ]);
    const removed = await box.run("up", []);
    expect(removed.ok).toBe(true);
    expect(removed.calls.filter((c) => c.startsWith("delete"))).toEqual(["delete a", "delete b"]);
    expect(opsOf(removed, "r")).toEqual(["delete"]);
    expect(box.cloud()).toEqual({ "r-k1": "1" });
    expect(box.stateUrns().filter((u) => u.includes(TYPE))).toEqual([]);
  });

  it("refresh reads every resource and forgets one deleted behind the engine's back", async () => {
    await box.run("up", [
      { name: "p", value: "1" },
      { name: "q", value: "1" },
    ]);
    writeFileSync(box.world, JSON.stringify({ "p-k1": "drifted" }));
    const refreshed = await box.run("refresh", []);
    expect(refreshed.ok).toBe(true);
    // A preview pass then the refresh; each Read of a live resource is followed by a Diff.
    expect(refreshed.calls.sort()).toEqual(["diff p", "diff p", "read p", "read p", "read q", "read q"]);
    expect(refreshed.preview.changeSummary).toEqual({ same: 0, update: 1, delete: 1 });
    expect(box.stateUrns()).not.toContain(urn("q"));
    const next = await box.run("preview", [
      { name: "p", value: "1" },
      { name: "q", value: "1" },
    ]);
    expect(opsOf(next, "p")).toEqual(["update"]);
    expect(opsOf(next, "q")).toEqual(["create"]);
  });

  it("preview only calls check and diff, shows what up would do, and leaves the state file alone", async () => {
    await box.run("up", [
      { name: "a", value: "1" },
      { name: "gone", value: "1" },
    ]);
    const before = readFileSync(box.state, "utf8");
    const preview = await box.run("preview", [
      { name: "a", value: "2" },
      { name: "c", value: "1", dependsOn: ["a"] },
    ]);
    expect(preview.ok).toBe(true);
    expect(new Set(preview.calls.map((c) => c.split(" ")[0]))).toEqual(new Set(["check", "diff"]));
    expect(opsOf(preview, "a")).toEqual(["update"]);
    expect(opsOf(preview, "c")).toEqual(["create"]);
    expect(opsOf(preview, "gone")).toEqual(["delete"]);
    expect(readFileSync(box.state, "utf8")).toBe(before);
    expect(JSON.parse(readFileSync(box.json, "utf8"))).toMatchObject({
      changeSummary: { update: 1, create: 1, delete: 1, same: 2 },
    });
  });

  it("secrets show as [secret] in the document and are encrypted in the state file, API key included", async () => {
    const result = await box.run("up", [{ name: "s", value: "1" }], { apiKey: "napi_test_key_do_not_leak" });
    expect(result.ok).toBe(true);
    expect(result.outputs).toEqual({ count: 1, firstPassword: "[secret]" });
    const doc = readFileSync(box.json, "utf8");
    const state = readFileSync(box.state, "utf8");
    for (const text of [doc, state, result.stderr]) {
      expect(text).not.toContain("pw-s");
      expect(text).not.toContain("napi_test_key_do_not_leak");
    }
    expect(JSON.parse(doc).config["neon-fleet:apiKey"]).toBe("[secret]");
    expect(result.preview.steps.find((s) => s.urn === urn("s"))?.newState?.outputs.password).toBe("[secret]");
    expect(state).toContain('"ciphertext": "v1:');
    // The state still decrypts: a second up sees the same secret output and changes nothing.
    const again = await box.run("up", [{ name: "s", value: "1" }], { apiKey: "napi_test_key_do_not_leak" });
    expect(again.preview.changeSummary).toEqual({ same: 3 });
  });

  it("under --continue-on-error a failing resource fails alone: the others are created, its dependents skipped, and the CLI exits 1 with one error line", async () => {
    const resources = [
      { name: "ok1", value: "1" },
      { name: "bad", value: "1", failOn: "create" },
      { name: "child", value: "1", dependsOn: ["bad"] },
      { name: "ok2", value: "1" },
    ];
    writeFileSync(box.spec, JSON.stringify({ resources }));
    const cli = path.join(root, "dist/tests/engine/cli.js");
    const args = [
      cli,
      "up",
      "--continue-on-error",
      "--state",
      box.state,
      "--json",
      box.json,
      "--program",
      program,
      "--stack",
      "enginetest",
      "--config",
      `fixture:spec=${box.spec}`,
    ];
    const outcome = await promisify(execFile)(process.execPath, args, {
      cwd: root,
      env: { ...process.env, ...box.env() },
    }).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(outcome.code).toBe(1);
    expect(outcome.stderr.split("\n").filter((l) => l.startsWith("error:"))).toEqual([
      `error: ${urn("bad")}: fixture bad refuses to be created`,
    ]);
    expect(
      box
        .calls()
        .filter((c) => c.startsWith("create"))
        .sort(),
    ).toEqual(["create bad", "create ok1", "create ok2"]);
    expect(box.cloud()).toEqual({ "ok1-k1": "1", "ok2-k1": "1" });
  });

  it("a protected resource removed from the program fails the preview of up, so nothing is deleted and the state keeps it", async () => {
    await box.run("up", [
      { name: "keep", value: "1", protect: true },
      { name: "other", value: "1" },
    ]);
    const removed = await box.run("up", []);
    expect(removed.ok).toBe(false);
    expect(removed.failures).toEqual([
      { urn: urn("keep"), message: expect.stringContaining("it is protected; set protect: false") },
    ]);
    expect(removed.calls).toEqual([]);
    expect(box.stateUrns()).toContain(urn("keep"));
  });

  it(
    "a program that fails ends the run: one error line per reported line, the program process gone, nothing deleted",
    async () => {
      await box.run("up", [{ name: "kept", value: "1" }]);
      const pidFile = path.join(box.dir, "program.pid");
      writeFileSync(
        box.spec,
        JSON.stringify({ resources: [], failWith: "a.yaml:1:2: first problem\nb.yaml:3:4: second problem" }),
      );
      rmSync(box.log, { force: true });
      const failed = await runEngine({
        command: "up",
        stateFile: box.state,
        program,
        stack: "enginetest",
        config: { "fixture:spec": box.spec },
        env: { ...box.env(), FIXTURE_PID: pidFile },
      });

      expect(failed.ok).toBe(false);
      expect(failed.stderr.split("\n").filter((l) => l.startsWith("error:"))).toEqual([
        `error: ${stackUrn}: a.yaml:1:2: first problem`,
        `error: ${stackUrn}: b.yaml:3:4: second problem`,
      ]);
      expect(() => process.kill(Number(readFileSync(pidFile, "utf8")), 0)).toThrow(
        expect.objectContaining({ code: "ESRCH" }),
      );
      expect(box.calls()).toEqual([]);
      expect(box.stateUrns()).toContain(urn("kept"));
      // A generous limit, yet below the 45 s to minutes a failed program spent formatting its error (stacks/runError.ts).
    },
    FAILED_RUN_MS,
  );

  it("destroy deletes everything, dependents first", async () => {
    await box.run("up", [
      { name: "b", value: "1" },
      { name: "a", value: "1", dependsOn: ["b"] },
    ]);
    const destroyed = await box.run("destroy", []);
    expect(destroyed.ok).toBe(true);
    expect(destroyed.calls).toEqual(["delete a", "delete b"]);
    expect(box.stateUrns()).toEqual([]);
    expect(box.cloud()).toEqual({});
  });
});
