import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  DEFAULT_RENDER_OPTIONS,
  parsePreviewDocument,
  readFleetChanges,
  renderSummary,
  summarizePreview,
} from "../../tools/summarize";
import { PreviewBuilder, TIERS, tenants } from "./support/previewBuilder";

const bin = path.join(__dirname, "..", "..", "bin", "neon-fleet.js");
const fixtures = path.join(__dirname, "..", "fixtures", "preview");
const work = mkdtempSync(path.join(tmpdir(), "neon-fleet-summarize-"));

interface Run {
  stdout: string;
  stderr: string;
  status: number | null;
}
const runs = new Map<string, Run>();

/** Runs the real CLI on a file (or stdin) and returns what a CI step would see; one run per file. */
function summarize(file: string, stdin?: string): Run {
  const cached = stdin === undefined ? runs.get(file) : undefined;
  if (cached) return cached;
  const { stdout, stderr, status } = spawnSync(process.execPath, [bin, "summarize", file], {
    encoding: "utf8",
    input: stdin,
  });
  if (stdin === undefined) runs.set(file, { stdout, stderr, status });
  return { stdout, stderr, status };
}

function writePreview(name: string, builder: PreviewBuilder): string {
  const file = path.join(work, name);
  writeFileSync(file, builder.json());
  return file;
}

/** `<details>` blocks must close, or GitHub swallows the rest of the comment. */
function expectBalancedDetails(text: string): void {
  expect(text.split("<details>").length).toBe(text.split("</details>").length);
}

describe("a reviewer judging a fleet change from the pull-request comment", () => {
  const pro20 = { ...TIERS.pro, storage: "20GiB" };
  const proTenants = tenants("pro", 300, TIERS.pro);
  const preview = new PreviewBuilder();
  for (const t of proTenants) preview.retier(t, pro20);
  for (const t of tenants("new", 5, TIERS.pro, "eu", "aws-eu-central-1")) preview.create(t);
  preview.remove({ id: "gone-a", tier: TIERS.free, residency: "us", region: "aws-us-east-2" });
  preview.remove({ id: "gone-b", tier: TIERS.free, residency: "us", region: "aws-us-east-1" });
  preview.move({ id: "acme", tier: TIERS.pro, residency: "us", region: "aws-us-east-2" }, "eu", "aws-eu-central-1");
  const file = writePreview("raise-pro-storage.json", preview);

  it("reads the verdict of 'raise Pro storage to 20 GiB' on the first line", () => {
    const { stdout, status } = summarize(file);
    expect(status).toBe(0);
    expect(stdout.split("\n")[0]).toBe(
      "**neon-fleet preview: 300 to update, 5 to create, 2 retained, 1 replace (destroys data)**",
    );
  });

  it("names the region move and the retained removals before the bulk storage change", () => {
    const { stdout } = summarize(file);
    const move = stdout.indexOf("**acme** (pro, aws-eu-central-1) replace: region aws-us-east-2 -> aws-eu-central-1");
    const removals = stdout.indexOf("- gone-a (free, aws-us-east-2)");
    const bulk = stdout.indexOf("`storage 10GiB -> 20GiB`: 300 tenants (pro)");
    expect(move).toBeGreaterThan(0);
    expect(removals).toBeGreaterThan(move);
    expect(stdout).toContain("- gone-b (free, aws-us-east-1)");
    expect(stdout.slice(removals - 300, removals)).toContain("`onRemove: retain`: the Neon projects stay");
    expect(bulk).toBeGreaterThan(removals);
  });

  it("counts tenants per action by tier and region in one table", () => {
    const { stdout } = summarize(file);
    expect(stdout).toContain("| tier | region | create | update | replace | retain |");
    expect(stdout).toContain("| pro | aws-us-east-2 | 0 | 300 | 0 | 0 |");
    expect(stdout).toContain("| pro | aws-eu-central-1 | 5 | 0 | 1 | 0 |");
    expect(stdout).toContain("| free | aws-us-east-1 | 0 | 0 | 0 | 1 |");
  });

  it("reads the same summary from stdin", () => {
    const { stdout } = summarize("-", preview.json());
    expect(stdout).toBe(summarize(file).stdout);
  });
});

describe("a refused replace among other changes", () => {
  const refusal = 'tenant acme: changing region "aws-us-east-2" -> "aws-us-east-1" needs a new Neon project; refused';
  const preview = new PreviewBuilder();
  for (const t of tenants("pro", 3, TIERS.pro)) preview.retier(t, { ...TIERS.pro, max: 4 });
  preview.refusedMove({ id: "acme", tier: TIERS.pro, residency: "us", region: "aws-us-east-2" }, "us-east", refusal);
  const doc = preview.document();

  it("is read from the new inputs, not from diffReasons or detailedDiff (empty for these resources)", () => {
    const steps = doc.steps as { diffReasons?: unknown[]; detailedDiff?: unknown }[];
    expect(steps.every((step) => (step.diffReasons ?? []).length === 0 && step.detailedDiff === null)).toBe(true);

    const changes = readFleetChanges(parsePreviewDocument(JSON.stringify(doc), "preview.json"));

    const acme = changes.tenants.find((t) => t.id === "acme");
    expect(acme).toMatchObject({ action: "refused", refusal, region: "aws-us-east-2" });
    const updated = changes.tenants.filter((t) => t.action === "update").map((t) => t.id);
    expect(updated).toEqual(["pro-0001", "pro-0002", "pro-0003"]);
  });

  it("is counted in the verdict and listed first, with its message, before the other tenants' changes", () => {
    const text = summarizePreview(JSON.stringify(doc), "preview.json");
    const lines = text.split("\n");

    expect(lines[0]).toBe("**neon-fleet preview: 3 to update, 1 replace refused**");
    expect(lines[2]).toBe("### Destroys data or refused (1)");
    expect(lines[4]).toBe(`- **acme** (pro, aws-us-east-2) replace refused, project left as it is: \`${refusal}\``);
    expect(text.indexOf("`max CU 2 -> 4`: 3 tenants")).toBeGreaterThan(text.indexOf("replace refused, project left"));
    expect(text).toContain("residency us -> us-east");
    expect(text).not.toContain("refusedChange");
  });
});

describe("a tenant whose residency edit moves it to another stack, seen from the stack it leaves", () => {
  const preview = new PreviewBuilder();
  preview.brake([
    { tenantId: "acme", region: "aws-eu-central-1" },
    { tenantId: "globex", region: "aws-us-east-2" },
  ]);
  preview.remove({ id: "acme", tier: TIERS.pro, residency: "us", region: "aws-us-east-2", onRemove: "delete" });
  preview.remove({ id: "globex", tier: TIERS.free, residency: "us", region: "aws-us-east-2" });
  preview.remove({ id: "gone", tier: TIERS.free, residency: "us", region: "aws-us-east-2", onRemove: "delete" });
  const text = summarizePreview(preview.json(), "preview.json");

  it("is named as a move at the top, project kept, not as a delete", () => {
    const lines = text.split("\n");

    expect(lines[0]).toBe("**neon-fleet preview: 1 to delete (destroys data), 2 to move to other stacks**");
    expect(lines[2]).toBe("### Destroys data or refused (3)");
    expect(lines[4]).toBe(
      "- **acme** (pro) moves to the stack managing aws-eu-central-1 (region aws-us-east-2 -> aws-eu-central-1): " +
        "project kept (released here whatever `onRemove` says), that stack takes it over by name; " +
        "the region move itself is refused unless that stack sets `neon-fleet:allowReplace`",
    );
    expect(lines[5]).toBe(
      "- **globex** (free) moves to another stack managing aws-us-east-2: project kept (released here whatever " +
        "`onRemove` says), that stack takes it over by name",
    );
    expect(lines[6]).toContain("- **gone** (free, aws-us-east-2) delete: `onRemove: delete`");
    expect(text).not.toContain("### Retained");
    expect(text).not.toContain("removal-brake");
  });

  it("counts the moves the brake did not name (past 1,000)", () => {
    const many = new PreviewBuilder().brake([{ tenantId: "acme", region: "aws-eu-central-1" }], 1_500);
    many.remove({ id: "acme", tier: TIERS.pro, residency: "us", region: "aws-us-east-2" });

    const summary = summarizePreview(many.json(), "preview.json");

    expect(summary.split("\n")[0]).toBe("**neon-fleet preview: 1,500 to move to other stacks**");
    expect(summary).toContain("- 1,499 more tenants move to other stacks");
  });
});

describe("the previews of the stack a tenant leaves and of the stack it joins, summarized together", () => {
  const leaving = new PreviewBuilder().brake([{ tenantId: "acme", region: "aws-eu-central-1" }]);
  leaving.remove({ id: "acme", tier: TIERS.pro, residency: "us", region: "aws-us-east-2", onRemove: "delete" });
  const joining = new PreviewBuilder().create({
    id: "acme",
    tier: TIERS.pro,
    residency: "eu",
    region: "aws-eu-central-1",
  });
  joining.create({ id: "newco", tier: TIERS.free, residency: "eu", region: "aws-eu-central-1" });
  const inStack = (json: string, stack: string) =>
    json.replaceAll("urn:pulumi:us::", `urn:pulumi:${stack}::`).replaceAll("neon-fleet-us", `neon-fleet-${stack}`);
  const files = [writePreview("leaving-us.json", leaving), path.join(work, "joining-eu.json")];
  writeFileSync(files[1]!, inStack(joining.json(), "eu"));

  it("name one move to the joining stack instead of a delete and a create", () => {
    const { stdout, status } = spawnSync(process.execPath, [bin, "summarize", ...files], { encoding: "utf8" });

    expect(status).toBe(0);
    expect(stdout.split("\n")[0]).toBe("**neon-fleet preview: 1 to create, 1 to move to other stacks**");
    expect(stdout).toContain(
      "- **acme** (pro) moves to stack eu (region aws-us-east-2 -> aws-eu-central-1): project kept (released here " +
        "whatever `onRemove` says), that stack takes it over by name; the region move itself is refused unless that " +
        "stack sets `neon-fleet:allowReplace`",
    );
    expect(stdout).toContain("### To create (1)\n\n- newco (free, aws-eu-central-1)");
  });
});

describe("a mass removal the stack's brake refused", () => {
  const reason =
    "mass removal refused: this run would remove 40 of the stack's 50 tenants from the plans, more than max(5, 10%) = 5;" +
    " nothing was changed. If that is intended, allow it for one run with " +
    "`pulumi config set neon-fleet:allowMassRemoval true`, `pulumi up`, `pulumi config rm neon-fleet:allowMassRemoval`";
  const text = summarizePreview(new PreviewBuilder().brakeRefusal(reason).json(), "preview.json");

  it("is in the verdict and first in the dangerous section, with the count and the opt-in", () => {
    const lines = text.split("\n");
    const dangerous = lines.indexOf("### Destroys data or refused (1)");

    expect(lines[0]).toBe("**neon-fleet preview: 1 error (preview failed), mass removal refused**");
    expect(dangerous).toBeGreaterThan(0);
    expect(lines[dangerous + 2]).toBe(`- **mass removal refused**: ${reason.slice("mass removal refused: ".length)}`);
  });
});

describe("a preview written by the Pulumi CLI", () => {
  const mixed = path.join(fixtures, "mixed.json");

  it("shows tier changes, quota and compute deltas in plan units, grouped by value", () => {
    const { stdout } = summarize(mixed);
    expect(stdout).toContain("- `storage 10GiB -> 20GiB`: 2 tenants (globex, initech)");
    expect(stdout).toContain("- `tier free -> pro`: 1 tenant (umbrella)");
    expect(stdout).toContain("- `suspend 5m -> 10m`: 1 tenant (umbrella)");
    expect(stdout).toContain("- `max CU 0.25 -> 2`: 1 tenant (umbrella)");
  });

  it("tells a retained removal from a deletion that destroys data", () => {
    const { stdout } = summarize(mixed);
    expect(stdout).toContain(
      "**soylent** (pro, aws-us-east-1) delete: `onRemove: delete`, the Neon project and its data are deleted",
    );
    expect(stdout).toMatch(/### Retained \(1\)[\s\S]*- piedpiper \(free, aws-us-east-2\)/);
    expect(stdout.indexOf("soylent")).toBeLessThan(stdout.indexOf("piedpiper"));
  });

  it("summarizes dev branches in their own section", () => {
    const { stdout } = summarize(mixed);
    const section = stdout.slice(stdout.indexOf("### Dev branches (3)"));
    expect(section).toContain("**feature-login** create (parent main, ttl 7d)");
    expect(section).toContain("**feature-search** reset to its parent's latest state");
    expect(section).toContain("**old-experiment** delete (branch data destroyed)");
  });

  it("never prints the provider source, secrets or the unknown-value sentinel", () => {
    const { stdout } = summarize(mixed);
    expect(stdout).not.toContain("__provider");
    expect(stdout).not.toContain("exports.handler");
    expect(stdout).not.toContain("04da6b54-80e4-46f7-96ec-b56ff0331ba9");
    expect(stdout).not.toContain("projectId");
  });

  it("puts the preview's errors at the very top, a refused replace named by tenant, passwords masked", () => {
    const { stdout, status } = summarize(path.join(fixtures, "refused-replace.json"));
    expect(status).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[0]).toBe("**neon-fleet preview: 3 errors (preview failed), 1 to update**");
    expect(lines[2]).toBe("### Errors (3)");
    expect(lines[4]).toContain("error **acme**: `tenant acme: replacing its project destroys the tenant's data");
    expect(stdout).toContain("- `max CU 2 -> 4`: 1 tenant (globex)");
    expect(stdout).toContain("- `suspend 10m -> never`: 1 tenant (globex)");
    expect(stdout).not.toContain("npg_s3cr3tPa55");
    expect(stdout).toContain("postgres://neondb_owner:****@");
  });

  it("shows a program crash (an unreadable tenants file) as its one line, without colour codes or stack frames", () => {
    const crash = [
      "\u001b[31mRunning program '/work/stacks' failed with an unhandled exception:",
      "Error: EACCES: permission denied, open '/work/plans/tenants/a.yaml'\u001b[39m",
      "    at async open (node:internal/fs/promises:639:25)",
      "    at async Object.readFile (node:internal/fs/promises:1242:14)",
    ].join("\n");
    const preview = new PreviewBuilder().diagnostic("error", crash).json();
    const changes = readFleetChanges(parsePreviewDocument(preview, "preview.json"));
    const text = renderSummary(changes, DEFAULT_RENDER_OPTIONS);
    const line = text.split("\n").find((l) => l.startsWith("- error"));
    const crashLine =
      "Running program '/work/stacks' failed with an unhandled exception: Error: EACCES: permission denied";
    expect(line).toBe(`- error: \`${crashLine}, open '/work/plans/tenants/a.yaml'\``);
    expect(text).not.toContain("\u001b");
    expect(text).not.toContain("node:internal");
  });

  it("says so when nothing changes", () => {
    expect(summarize(path.join(fixtures, "no-changes.json")).stdout.split("\n")[0]).toBe(
      "**neon-fleet preview: no changes**",
    );
  });

  it("marks tenants whose region the preview hides (unchanged projects are left out without --show-sames)", () => {
    const doc = JSON.parse(
      new PreviewBuilder().retier(tenants("pro", 1, TIERS.pro)[0], { ...TIERS.pro, max: 4 }).json(),
    );
    doc.steps = doc.steps.filter((s: { op: string }) => s.op !== "same");
    const text = summarizePreview(JSON.stringify(doc), "preview.json");
    expect(text).toContain("| pro | ? | 1 |");
    expect(text).toContain("`pulumi preview --json --show-sames`");
  });
});

describe("input that is not a preview", () => {
  it.each([
    [
      "stack-export.json",
      "not a `pulumi preview --json` document: it has none of `steps`, `changeSummary`, `diagnostics`",
    ],
    ["truncated.json", "not JSON ("],
    ["missing.json", "cannot read the preview document (ENOENT)"],
  ])("%s fails with one line naming the file", (name, problem) => {
    const file = path.join(fixtures, name);
    const { stdout, stderr, status } = summarize(file);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain(`${file}: ${problem}`);
  });

  it("names stdin and the offending field for a malformed step", () => {
    const { stderr, status } = summarize("-", JSON.stringify({ steps: [{ op: "update" }] }));
    expect(status).toBe(1);
    expect(stderr.trim()).toBe(
      "stdin: not a `pulumi preview --json` document: steps[0].urn: Invalid input: expected string, received undefined",
    );
  });
});

describe("any fleet size fits in one comment", () => {
  it("summarizes a 20,000-step preview in under 60,000 characters with every count exact", () => {
    const preview = new PreviewBuilder();
    for (const t of tenants("grow", 6_100, TIERS.free)) preview.create(t);
    for (const t of tenants("ent", 3_000, TIERS.pro, "eu", "aws-eu-central-1")) preview.retier(t, TIERS.enterprise);
    for (const t of tenants("move", 300, TIERS.pro)) preview.move(t, "eu", "aws-eu-central-1");
    for (const t of tenants("drop", 300, TIERS.free)) preview.remove(t);
    const doc = preview.document() as { steps: unknown[] };
    expect(doc.steps.length).toBeGreaterThanOrEqual(20_000);

    const text = summarizePreview(JSON.stringify(doc), "big.json");
    expect(text.length).toBeLessThanOrEqual(60_000);
    expect(text.split("\n")[0]).toBe(
      "**neon-fleet preview: 3,000 to update, 6,100 to create, 300 retained, 300 replaces (destroys data)**",
    );
    expect(text).toContain("- `tier pro -> enterprise`: 3,000 tenants (enterprise)");
    expect(text).toContain("- `storage 10GiB -> 100GiB`: 3,000 tenants");
    expect(text).toContain("<details><summary>6,100 tenants to create</summary>");
    expect(text).toMatch(/… and [\d,]+ more/);
    expectBalancedDetails(text);
  });

  it("keeps the hard cap with a final fold when even the folded lists are too long", () => {
    const preview = new PreviewBuilder();
    for (const t of tenants("err", 500, TIERS.pro))
      preview.diagnostic("error", `tenant ${t.id}: ${"x".repeat(300)}`, t.id);
    for (const t of tenants("move", 500, TIERS.pro)) preview.move(t, "eu", "aws-eu-central-1");
    const changes = readFleetChanges(parsePreviewDocument(preview.json(), "huge.json"));
    const text = renderSummary(changes, { ...DEFAULT_RENDER_OPTIONS, maxChars: 8_000 });
    expect(text.length).toBeLessThanOrEqual(8_000);
    expect(text.split("\n")[0]).toContain("500 errors (preview failed)");
    expect(text.trimEnd().split("\n").pop()).toMatch(/^… \d+ more sections? left out to stay under 8,000 characters/);
    expectBalancedDetails(text);
  });
});

describe("the summary stays plain enough for a terminal", () => {
  it("uses only Markdown a terminal reader can follow: no HTML other than the fold", () => {
    const text = summarize(path.join(fixtures, "mixed.json")).stdout;
    const tags = new Set(text.match(/<\/?[a-z]+>/g) ?? []);
    for (const tag of ["<details>", "<summary>", "</summary>", "</details>"]) tags.delete(tag);
    expect([...tags]).toEqual([]);
  });
});
