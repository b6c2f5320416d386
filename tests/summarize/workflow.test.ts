import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";

/** The parts of a GitHub Actions workflow this test reads. */
interface Step {
  name?: string;
  uses?: string;
  run?: string;
  id?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  if?: string;
  needs?: string;
  outputs?: Record<string, string>;
  permissions?: Record<string, string>;
  strategy?: { matrix?: { stack?: string } };
  concurrency?: { group: string; "cancel-in-progress": boolean };
  steps: Step[];
}
interface Workflow {
  on: Record<string, { branches?: string[] } | null>;
  env: Record<string, string>;
  jobs: Record<string, Job>;
}

const file = path.join(__dirname, "..", "..", ".github", "workflows", "neon-fleet.yml");
const text = readFileSync(file, "utf8");
const workflow = parse(text) as Workflow;
const { stacks, preview, up } = workflow.jobs;

describe("the GitOps workflow a fleet owner copies", () => {
  it("previews pull requests and applies merges to main", () => {
    expect(Object.keys(workflow.on).sort()).toEqual(["pull_request", "push"]);
    expect(workflow.on.push?.branches).toEqual(["main"]);
    expect(preview.if).toContain("github.event_name == 'pull_request'");
    expect(up.if).toContain("github.ref == 'refs/heads/main'");
  });

  it("previews the stacks `neon-fleet shards --changed` lists against the base, and applies every stack", () => {
    const base = stacks.steps.find((s) => s.with?.path === "base");
    expect(base?.uses).toMatch(/^actions\/checkout@/);
    expect(base?.with?.ref).toBe("${{ github.event.pull_request.base.sha }}");
    const shards = stacks.steps.find((s) => s.id === "shards")?.run ?? "";
    expect(shards).toContain("set -o pipefail");
    expect(shards).toContain("npx neon-fleet shards plans --changed base/plans --json");
    expect(shards).toContain("npx neon-fleet shards plans --json");
    expect(Object.keys(stacks.outputs ?? {}).sort()).toEqual(["count", "preview", "up"]);
    expect([preview.needs, up.needs]).toEqual(["stacks", "stacks"]);
    expect(preview.strategy?.matrix?.stack).toBe("${{ fromJSON(needs.stacks.outputs.preview) }}");
    expect(up.strategy?.matrix?.stack).toBe("${{ fromJSON(needs.stacks.outputs.up) }}");
    // An empty matrix is an error in GitHub Actions: a pull request that changes no stack previews nothing.
    expect(preview.if).toContain("needs.stacks.outputs.preview != '[]'");
  });

  it("gives each of the K stacks applied in parallel 1/K of the account's API budget", () => {
    const share = up.steps.findIndex((s) => (s.run ?? "").includes("pulumi config set neon-fleet:rateShare"));
    const apply = up.steps.findIndex((s) => s.run?.startsWith("pulumi up "));
    expect(up.steps[share].run).toContain('"1/${{ needs.stacks.outputs.count }}" --stack "${{ matrix.stack }}"');
    expect(share).toBeGreaterThan(0);
    expect(apply).toBeGreaterThan(share);
  });

  it("never lets two ups of one stack overlap, and never cancels an up halfway", () => {
    expect(up.concurrency?.group).toContain("${{ matrix.stack }}");
    expect(up.concurrency?.group).not.toContain("github.sha");
    expect(up.concurrency?.["cancel-in-progress"]).toBe(false);
  });

  it("summarizes the JSON preview with neon-fleet and posts it as one comment per stack, updated in place", () => {
    const steps = preview.steps;
    const previewStep = steps.findIndex((s) => /pulumi preview .*--json.*> preview\.json/.test(s.run ?? ""));
    const summarize = steps.findIndex((s) => (s.run ?? "").includes("npx neon-fleet summarize preview.json"));
    const comment = steps.findIndex((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment@"));
    expect(previewStep).toBeGreaterThanOrEqual(0);
    expect(summarize).toBeGreaterThan(previewStep);
    expect(comment).toBeGreaterThan(summarize);
    expect(steps[comment].with).toEqual({ header: "neon-fleet-${{ matrix.stack }}", path: "summary.md" });
    expect(preview.permissions?.["pull-requests"]).toBe("write");
  });

  it("posts the summary of a failed preview before failing the job", () => {
    const last = preview.steps[preview.steps.length - 1];
    expect(preview.steps.find((s) => s.id === "preview")?.run).toContain("set +e");
    expect(last.if).toBe("steps.preview.outputs.exit != '0'");
  });

  it("runs pulumi up on the shard's stack with --continue-on-error, after installing the CLI and logging in", () => {
    const install = up.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
    const login = up.steps.findIndex((s) => s.run?.startsWith("pulumi login"));
    const apply = up.steps.findIndex((s) => s.run?.startsWith("pulumi up "));
    expect(install).toBeGreaterThanOrEqual(0);
    expect(login).toBeGreaterThan(install);
    expect(apply).toBeGreaterThan(login);
    const command = 'pulumi up --stack "${{ matrix.stack }}" --yes --continue-on-error --non-interactive';
    expect(up.steps[apply].run).toBe(command);
  });

  it("reads every credential from repository secrets", () => {
    for (const name of ["PULUMI_ACCESS_TOKEN", "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "NEON_API_KEY"]) {
      expect(workflow.env[name]).toBe(`\${{ secrets.${name} }}`);
    }
    expect(text).not.toMatch(/napi_[a-z0-9]{10,}|pul-[a-f0-9]{20,}/);
  });

  it("pins every action to a major version", () => {
    const uses = Object.values(workflow.jobs).flatMap((job) => job.steps.flatMap((s) => (s.uses ? [s.uses] : [])));
    expect(uses.length).toBeGreaterThan(0);
    for (const action of uses) expect(action).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
  });
});
