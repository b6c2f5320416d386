/**
 * Conformance of the engine double with the real Pulumi engine (pulumi/pulumi): one test per behaviour,
 * each naming the engine file and function it mirrors, run against the fixture program
 * (tests/fixtures/engine) whose provider logs every call with its pid, working directory and config.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findProject, programLocation } from "./project";
import { program, root, Sandbox, urn } from "./sandbox";
import { TEST_MS } from "../support/timeouts";

let box: Sandbox;
beforeAll(() => {
  if (!existsSync(program))
    throw new Error(`${program} is missing: run \`npx tsc -p .\` (npm test does) before these tests`);
});
beforeEach(() => (box = new Sandbox()));
afterEach(() => box.dispose());

const ops = (steps: { op: string; urn: string }[], name: string): string[] =>
  steps.filter((s) => s.urn === urn(name)).map((s) => s.op);

describe("engine double conformance with the Pulumi engine", () => {
  it(
    "runs the program and the provider in the folder of `main` when main is a file (pkg/engine/project.go getPwdMain)",
    async () => {
      const project = mkdtempSync(path.join(os.tmpdir(), "engine-project-"));
      try {
        mkdirSync(path.join(project, "dist/stacks"), { recursive: true });
        writeFileSync(path.join(project, "dist/stacks/index.js"), "");
        const at = (main?: string) =>
          programLocation({ name: "p", rootDir: project, stackConfigDir: project, ...(main ? { main } : {}) });
        expect(at("dist/stacks/index.js")).toEqual({ pwd: path.join(project, "dist/stacks"), entry: "index.js" });
        expect(at("dist/stacks")).toEqual({ pwd: path.join(project, "dist/stacks"), entry: "." });
        expect(at()).toEqual({ pwd: project, entry: "." });
        expect(() => at("missing.js")).toThrow("project 'main' could not be read");
      } finally {
        rmSync(project, { recursive: true, force: true });
      }
      // Without a program of its own, a run follows the repository's Pulumi.yaml `main`.
      expect(findProject(root).main).toBeDefined();

      const cwdFile = path.join(box.dir, "program.cwd");
      const up = await box.run("up", [{ name: "a", value: "1" }], { env: { FIXTURE_PROGRAM_CWD: cwdFile } });
      expect(up.ok).toBe(true);
      const fixtureDir = path.dirname(program);
      expect(readFileSync(cwdFile, "utf8").trim().split("\n")).toEqual([fixtureDir, fixtureDir]); // preview pass and update
      expect(new Set(box.entries().map((e) => e.cwd))).toEqual(new Set([fixtureDir]));
    },
    TEST_MS,
  );

  it(
    "a Check failure or a Diff error aborts preview and up whatever --continue-on-error says: nothing is applied (step_generator.go continueStepsFromImport, diff; pulumi/pulumi#16133)",
    async () => {
      const failedCheck = await box.run(
        "up",
        [
          { name: "a", value: "1" },
          { name: "b", value: "check-fails" },
          { name: "c", value: "1" },
        ],
        { continueOnError: true },
      );
      expect(failedCheck.ok).toBe(false);
      expect(failedCheck.failures).toEqual([{ urn: urn("b"), message: "value: b is not a valid value" }]);
      expect(failedCheck.calls.filter((c) => c.startsWith("create"))).toEqual([]);
      expect(existsSync(box.state)).toBe(false);

      await box.run("up", [
        { name: "a", value: "1" },
        { name: "b", value: "1" },
        { name: "c", value: "1" },
      ]);
      const failedDiff = await box.run(
        "up",
        [
          { name: "a", value: "2" },
          { name: "b", value: "diff-throws" },
          { name: "c", value: "2" },
        ],
        { continueOnError: true },
      );
      expect(failedDiff.ok).toBe(false);
      expect(failedDiff.failures).toEqual([
        { urn: urn("b"), message: expect.stringContaining("fixture b cannot be diffed") },
      ]);
      expect(failedDiff.calls.filter((c) => !/^(check|diff) /.test(c))).toEqual([]);
      expect(box.cloud()).toEqual({ "a-k1": "1", "b-k1": "1", "c-k1": "1" });
    },
    TEST_MS,
  );

  it(
    "a failing Check of the first registered resource ends preview and up before any other step: no other Check, no create, update or delete (deployment_executor.go handleSingleEvent, step_generator.go GenerateSteps)",
    async () => {
      await box.run("up", [
        { name: "a", value: "1" },
        { name: "b", value: "1" },
        { name: "gone", value: "1" },
      ]);
      const spec = [
        { name: "first", value: "check-fails" },
        { name: "a", value: "2" },
        { name: "b", value: "2" },
      ];

      const preview = await box.run("preview", spec);
      const up = await box.run("up", spec, { continueOnError: true });

      expect([preview.ok, up.ok]).toEqual([false, false]);
      expect(up.failures).toEqual([{ urn: urn("first"), message: "value: first is not a valid value" }]);
      expect(preview.calls).toEqual(["check first"]);
      expect(up.calls).toEqual(["check first"]);
      expect(box.cloud()).toEqual({ "a-k1": "1", "b-k1": "1", "gone-k1": "1" });
    },
    TEST_MS,
  );

  it(
    "without --continue-on-error the first failed Create cancels the rest and no deletes run; with it dependents pass Check with the failed outputs missing, then are skipped (step_executor.go cancelDueToError, deployment_executor.go handleSingleEvent)",
    async () => {
      await box.run("up", [{ name: "gone", value: "1" }]);
      const spec = [
        { name: "bad", value: "1", failOn: "create" as const },
        { name: "child", value: "1", dependsOn: ["bad"] },
        ...["ok1", "ok2", "ok3"].map((name) => ({ name, value: "1" })),
      ];
      const cancelled = await box.run("up", spec, { parallel: 1, skipPreview: true });
      expect(cancelled.ok).toBe(false);
      expect(cancelled.failures.map((f) => f.urn)).toEqual([urn("bad")]);
      const writes = cancelled.calls.filter((c) => !c.startsWith("check"));
      expect(writes[writes.length - 1]).toBe("create bad"); // nothing started after the failure, no delete ran
      expect(box.cloud()).toHaveProperty("gone-k1");

      const continued = await box.run("up", spec, { parallel: 1, skipPreview: true, continueOnError: true });
      expect(continued.failures.map((f) => f.urn)).toEqual([urn("bad")]);
      const notYetCreated = ["create ok1", "create ok2", "create ok3"].filter((c) => !writes.includes(c));
      const continuedWrites = continued.calls.filter((c) => !c.startsWith("check") && !c.startsWith("diff")).sort();
      expect(continuedWrites).toEqual(["create bad", ...notYetCreated, "delete gone"]);
      expect(box.entries().find((e) => e.method === "check" && e.name === "child")).toMatchObject({
        hasUpstream: false,
      });
      expect(box.cloud()).toEqual({ "ok1-k1": "1", "ok2-k1": "1", "ok3-k1": "1" });
    },
    TEST_MS,
  );

  it(
    "up is a preview run then an update run in separate provider processes; refresh previews too and Diffs after each Read with old and new swapped (pkg/backend/apply.go PreviewThenPrompt, step.go RefreshStep.Apply)",
    async () => {
      await box.run("up", [{ name: "a", value: "1" }]);
      const checks = box.entries().filter((e) => e.method === "check");
      expect(checks.map((e) => e.name)).toEqual(["a", "a"]);
      expect(new Set(checks.map((e) => e.pid)).size).toBe(2);

      await box.run("up", [{ name: "a", value: "1" }], { skipPreview: true });
      expect(box.calls()).toEqual(["check a", "diff a"]);

      writeFileSync(box.world, JSON.stringify({ "a-k1": "drifted" }));
      const refreshed = await box.run("refresh", []);
      expect(refreshed.calls).toEqual(["read a", "diff a", "read a", "diff a"]);
      expect(
        box
          .entries()
          .filter((e) => e.method === "diff")
          .map((e) => [e.olds, e.news]),
      ).toEqual([
        ["drifted", "1"],
        ["drifted", "1"],
      ]);
      expect(refreshed.preview.changeSummary).toMatchObject({ update: 1 });
    },
    TEST_MS,
  );

  it(
    "refresh and destroy configure the provider from its inputs in state, not the current stack config (providers/registry.go Same)",
    async () => {
      await box.run("up", [{ name: "a", value: "1" }], { config: { "fixture:mark": "at-up" } });
      await box.run("refresh", [], { config: { "fixture:mark": "changed-since" } });
      expect(new Set(box.entries().map((e) => e.mark))).toEqual(new Set(["at-up"]));
      await box.run("destroy", [], { config: { "fixture:mark": "changed-since" } });
      expect(box.entries().map((e) => `${e.method} ${e.mark}`)).toEqual(["delete at-up"]);
    },
    TEST_MS,
  );

  it(
    "Check and Diff run one at a time on the engine's loop; only Create/Update/Delete run in parallel (deployment_executor.go handleSingleEvent, step_executor.go ExecuteParallel)",
    async () => {
      const spec = ["a", "b", "c", "d"].map((name) => ({ name, value: "1" }));
      await box.run("up", spec, { parallel: 8 });
      const entries = box.entries();
      expect(entries.filter((e) => e.method === "check").every((e) => e.concurrent === 1)).toBe(true);
      await box.run(
        "up",
        spec.map((r) => ({ ...r, value: "2" })),
        { parallel: 8 },
      );
      expect(
        box
          .entries()
          .filter((e) => e.method === "check" || e.method === "diff")
          .every((e) => e.concurrent === 1),
      ).toBe(true);
      expect(Math.max(...entries.filter((e) => e.method === "create").map((e) => e.concurrent ?? 0))).toBeGreaterThan(
        1,
      );
    },
    TEST_MS,
  );

  it(
    "while --parallel operations run, the loop waits for a free worker: no Check or Diff of later resources starts (step_executor.go newStepExecutor, ExecuteSerial)",
    async () => {
      const spec = ["a", "b", "c", "d", "e"].map((name) => ({ name, value: "1" }));
      // Create and Update take 300 ms in the fixture provider and are logged when they end. With 2 workers busy, the
      // loop has Checked and Diffed c and waits to hand it over: d's Check comes after an operation ended.
      const created = await box.run("up", spec, { parallel: 2, skipPreview: true });
      expect(created.ok).toBe(true);
      const firstCreate = created.calls.findIndex((c) => c.startsWith("create "));
      expect(created.calls.slice(0, firstCreate)).toEqual(["check a", "check b", "check c"]);

      const updated = await box.run(
        "up",
        spec.map((r) => ({ ...r, value: "2" })),
        { parallel: 2, skipPreview: true },
      );
      expect(updated.ok).toBe(true);
      const firstUpdate = updated.calls.findIndex((c) => c.startsWith("update "));
      const beforeFirstUpdate = ["check a", "diff a", "check b", "diff b", "check c", "diff c"];
      expect(updated.calls.slice(0, firstUpdate)).toEqual(beforeFirstUpdate);
      expect(
        Math.max(
          ...box
            .entries()
            .filter((e) => e.method === "update")
            .map((e) => e.concurrent ?? 0),
        ),
      ).toBe(2);
    },
    TEST_MS,
  );

  it(
    "checkpoints cost the whole snapshot at the start and end of every mutating step, so onboarding grows quadratically (pkg/backend/snapshot.go BeginMutation, End)",
    async () => {
      const few = await box.run(
        "up",
        ["a", "b"].map((name) => ({ name, value: "1" })),
        { skipPreview: true },
      );
      const noop = await box.run(
        "up",
        ["a", "b"].map((name) => ({ name, value: "1" })),
        { skipPreview: true },
      );
      const other = new Sandbox();
      try {
        const many = await other.run(
          "up",
          ["a", "b", "c", "d", "e", "f", "g", "h"].map((name) => ({ name, value: "1" })),
          { skipPreview: true },
        );
        expect(few.checkpointBytes).toBeGreaterThan(0);
        expect(many.checkpointBytes / few.checkpointBytes).toBeGreaterThan(4); // linear growth would stay under 4
        expect(many.stderr).toContain(`engine: checkpoints: ${many.checkpointBytes} bytes serialized`);
      } finally {
        other.dispose();
      }
      // Unchanged resources are not written: a no-op up only writes the snapshot when it closes.
      expect(noop.stderr).toContain(
        `engine: checkpoints: ${noop.checkpointBytes} bytes serialized (snapshot ${noop.checkpointBytes} bytes)`,
      );
      expect(noop.checkpointBytes).toBeLessThan(few.checkpointBytes);
    },
    TEST_MS,
  );

  it(
    "an alias takes over the old URN: no delete, no create, the step names the old state (step_generator.go getOldResource, collapseAliasToUrn)",
    async () => {
      await box.run("up", [{ name: "old-name", value: "1" }]);
      const renamed = await box.run("up", [{ name: "new-name", value: "1", aliases: ["old-name"] }]);
      expect(renamed.ok).toBe(true);
      expect(renamed.calls.filter((c) => !/^(check|diff) /.test(c))).toEqual([]);
      const step = renamed.preview.steps.find((s) => s.urn === urn("new-name"));
      expect(step).toMatchObject({ op: "same", oldState: { urn: urn("old-name"), id: "old-name-k1" } });
      expect(ops(renamed.preview.steps, "old-name")).toEqual([]);
      expect(box.stateUrns()).toContain(urn("new-name"));
      expect(box.stateUrns()).not.toContain(urn("old-name"));
    },
    TEST_MS,
  );

  it(
    "a dynamic resource's preview step has no diffReasons or detailedDiff, only replaceReasons (dynamic-provider/index.ts diff, display/json.go getPreviewMetadataStep)",
    async () => {
      await box.run("up", [
        { name: "u", value: "1" },
        { name: "r", value: "1" },
      ]);
      const preview = await box.run("preview", [
        { name: "u", value: "2" },
        { name: "r", value: "1", key: "k2" },
      ]);
      const update = preview.preview.steps.find((s) => s.urn === urn("u") && s.op === "update");
      const replace = preview.preview.steps.find((s) => s.urn === urn("r") && s.op === "replace");
      expect(update).toBeDefined();
      expect(update).not.toHaveProperty("diffReasons");
      expect(update).not.toHaveProperty("detailedDiff");
      expect(replace).toMatchObject({ replaceReasons: ["key"] });
      expect(replace).not.toHaveProperty("diffReasons");
    },
    TEST_MS,
  );

  describe("replacements without a fresh delete (step_generator.go continueStepsFromDiff, diff isTargetedReplace; step.go DeleteStep)", () => {
    it(
      "an interrupted delete-before-replace stays in state pending replacement and is diffed and replaced next run without a second delete",
      async () => {
        await box.run("up", [{ name: "d", value: "1", deleteBeforeReplace: true }]);
        const interrupted = await box.run("up", [
          { name: "d", value: "1", key: "k2", failOn: "create", deleteBeforeReplace: true },
        ]);
        expect(interrupted.ok).toBe(false);
        expect(interrupted.calls.filter((c) => /^(create|delete)/.test(c))).toEqual(["delete d", "create d"]);
        const stored = JSON.parse(readFileSync(box.state, "utf8")) as {
          resources: { urn: string; pendingReplacement?: boolean }[];
        };
        expect(stored.resources.find((r) => r.urn === urn("d"))).toMatchObject({ pendingReplacement: true });

        const resumed = await box.run("up", [{ name: "d", value: "1", key: "k2", deleteBeforeReplace: true }], {
          skipPreview: true,
        });
        expect(resumed.ok).toBe(true);
        expect(resumed.calls).toEqual(["check d", "diff d", "create d"]);
        expect(ops(resumed.preview.steps, "d")).toEqual(["replace", "create-replacement"]);
        expect(box.cloud()).toEqual({ "d-k2": "1" });
      },
      TEST_MS,
    );

    it(
      "--replace URN replaces without a Diff, creating first and deleting last",
      async () => {
        await box.run("up", [{ name: "a", value: "1" }]);
        const replaced = await box.run("up", [{ name: "a", value: "1" }], { replace: [urn("a")], skipPreview: true });
        expect(replaced.ok).toBe(true);
        expect(replaced.calls).toEqual(["check a", "create a", "delete a"]);
        expect(replaced.preview.steps.find((s) => s.op === "replace")).toMatchObject({
          urn: urn("a"),
          replaceReasons: ["id"],
        });
        // The replacement has the same id as the old resource here, so the last delete removes what create made.
        expect(box.cloud()).toEqual({});
      },
      TEST_MS,
    );
  });
});
