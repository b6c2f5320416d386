/**
 * `neon-fleet shards`: which tenants each stack of a stacks directory manages, checked for gaps and overlaps,
 * and which stacks a change of the plans touches (so CI previews only those).
 *
 * Stacks that talk to different Neon APIs (the `local` emulator stack beside `production`) are separate layouts:
 * stacks are grouped by `neon-fleet:apiHost` (unset = Neon's own API) and each group must manage every tenant
 * exactly once. Every stack is read against the same plans directory.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { FleetError, ShardLayoutError } from "../provider/errors";
import { DEFAULT_API_HOST } from "../provider/neon";
import { loadPlans, type Fleet, type ResolvedTenant } from "../provider/plans";
import { parseRateShare } from "../provider/resources/stackConnection";
import { managesDev, managesTenant, parseShard, type Shard } from "../provider/plans/shard";

/** The project namespace of stack config keys (a bare `bucket` in a stack file means `neon-fleet:bucket`). */
const NAMESPACE = "neon-fleet";

/** Plan files whose change can touch every tenant (fleet defaults, residency groups, tiers). */
const FLEET_WIDE_FILES = ["fleet.yaml", "tiers.yaml"];

/** One `Pulumi.<stack>.yaml`, as far as the layout is concerned. */
export interface StackFile {
  stack: string;
  /** The file, as given (for messages). */
  file: string;
  /** `neon-fleet:apiHost` without trailing slashes, or Neon's own API when unset. */
  apiHost: string;
  /** `neon-fleet:shard`, `neon-fleet:bucket` and `neon-fleet:rateShare` as written (undefined = unset). */
  shard?: string;
  bucket?: string;
  rateShare?: string;
}

/** What one stack manages. */
export interface StackShare {
  stack: string;
  apiHost: string;
  tenants: number;
  dev: boolean;
}

/** The options of `neon-fleet shards`. */
export interface ShardsOptions {
  plans: string;
  stacks: string;
  json?: boolean;
  /** A plans directory to compare with (the pull request's base): only the stacks whose tenants differ are listed. */
  changed?: string;
}

/** Runs `neon-fleet shards`: prints the stacks (text or JSON), then fails naming every gap and overlap. */
export async function runShards(
  options: ShardsOptions,
  out: (text: string) => void,
  note: (line: string) => void,
): Promise<void> {
  const fleet = await loadPlans(options.plans);
  const files = readStackFiles(options.stacks);
  const { shards, problems } = parseStackShards(files, fleet);
  const layout = checkLayout(fleet, files, shards);
  problems.push(...layout.problems);
  let listed = layout.shares;
  if (options.changed !== undefined && problems.length === 0) {
    const changed = await changedStacks(options.plans, options.changed, fleet, files, shards, note);
    listed = listed.filter((s) => changed.has(s.stack));
  }
  const fileOf = (stack: string) => files.find((f) => f.stack === stack)!;
  const matrix = listed.map((s) => ({ stack: s.stack, tenants: s.tenants, apiHost: s.apiHost }));
  if (options.json) out(`${JSON.stringify(matrix)}\n`);
  else out(listed.map((s) => `${describeShare(s, fileOf(s.stack), shards.has(s.stack))}\n`).join(""));
  if (problems.length > 0) throw new ShardLayoutError(problems);
}

/** Reads every `Pulumi.<stack>.yaml` of `dir`, sorted by stack name. */
export function readStackFiles(dir: string): StackFile[] {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => /^Pulumi\.[^.]+\.yaml$/.test(n))
      .sort();
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new FleetError(`${dir}: cannot read the stacks directory (${reason})`);
  }
  if (names.length === 0) {
    throw new FleetError(`${dir}: no Pulumi.<stack>.yaml stack files; pass the stacks directory with --stacks`);
  }
  return names.map((name) => {
    const file = path.join(dir, name);
    let config: Record<string, unknown>;
    try {
      config = ((parse(readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> }).config ?? {};
    } catch (err) {
      throw new FleetError(`${file}: not a stack config file (${(err as Error).message.split("\n")[0]})`);
    }
    const value = (key: string): string | undefined => {
      const raw = config[`${NAMESPACE}:${key}`] ?? config[key];
      return raw === undefined || raw === null || typeof raw === "object" || raw === "" ? undefined : String(raw);
    };
    return {
      stack: name.slice("Pulumi.".length, -".yaml".length),
      file,
      apiHost: (value("apiHost") ?? DEFAULT_API_HOST).replace(/\/+$/, ""),
      shard: value("shard"),
      bucket: value("bucket"),
      rateShare: value("rateShare"),
    };
  });
}

/**
 * Parses each stack's shard settings (a bad one is a problem line naming its file, and that stack is skipped), and
 * checks its rate share, which would otherwise fail only once the stack runs.
 */
function parseStackShards(files: StackFile[], fleet: Fleet): { shards: Map<string, Shard>; problems: string[] } {
  const shards = new Map<string, Shard>();
  const problems: string[] = [];
  for (const file of files) {
    const check = (parse: () => void) => {
      try {
        parse();
      } catch (err) {
        if (!(err instanceof FleetError)) throw err;
        problems.push(`${file.file}: ${err.message}`);
      }
    };
    check(() => shards.set(file.stack, parseShard(file.shard, file.bucket, fleet)));
    check(() => parseRateShare(file.rateShare));
  }
  return { shards, problems };
}

/** Counts each stack's tenants; names each tenant (and dev project) no stack or several stacks of a layout manage. */
export function checkLayout(
  fleet: Fleet,
  files: StackFile[],
  shards: Map<string, Shard>,
): { shares: StackShare[]; problems: string[] } {
  const problems: string[] = [];
  const shares: StackShare[] = files.map((f) => ({ stack: f.stack, apiHost: f.apiHost, tenants: 0, dev: false }));
  for (const apiHost of [...new Set(files.map((f) => f.apiHost))]) {
    const members = shares.filter((s) => s.apiHost === apiHost && shards.has(s.stack));
    // A layout with an unreadable stack would report that stack's tenants as uncovered: its own error says enough.
    if (members.length < files.filter((f) => f.apiHost === apiHost).length) continue;
    const owners = (manages: (shard: Shard) => boolean) => members.filter((s) => manages(shards.get(s.stack)!));
    const report = (subject: string, owning: StackShare[]) => {
      const names = owning.map((s) => s.stack).join(", ");
      if (owning.length === 0) {
        problems.push(`${subject} is managed by no stack of ${apiHost}; add its group, region or bucket to one`);
      } else if (owning.length > 1) {
        problems.push(`${subject} is managed by ${owning.length} stacks of ${apiHost} (${names}); make them disjoint`);
      }
    };
    for (const tenant of fleet.tenants) {
      const owning = owners((shard) => managesTenant(shard, tenant));
      for (const share of owning) share.tenants++;
      report(`tenant ${tenant.id} (${tenant.residency}, ${tenant.region})`, owning);
    }
    const dev = fleet.dev;
    if (dev) {
      const owning = owners((shard) => managesDev(shard, fleet, dev));
      for (const share of owning) share.dev = true;
      report(`dev project ${dev.projectName} (${dev.region}, bucket 0)`, owning);
    }
  }
  return { shares, problems };
}

/**
 * The stacks whose tenants differ between `basePlans` and the current plans: a tenant added, removed or changed
 * (its source line aside), or the dev project changed. Every stack when fleet.yaml or tiers.yaml changed, or when
 * the base plans cannot be read (nothing can be narrowed then).
 */
async function changedStacks(
  plans: string,
  basePlans: string,
  fleet: Fleet,
  files: StackFile[],
  shards: Map<string, Shard>,
  note: (line: string) => void,
): Promise<Set<string>> {
  const all = new Set(files.map((f) => f.stack));
  const differs = (name: string) => readOrEmpty(path.join(plans, name)) !== readOrEmpty(path.join(basePlans, name));
  const fleetWide = FLEET_WIDE_FILES.filter(differs);
  if (fleetWide.length > 0) {
    note(`shards: ${fleetWide.join(" and ")} changed: every stack is affected`);
    return all;
  }
  let base: Fleet;
  try {
    base = await loadPlans(basePlans);
  } catch (err) {
    const reason = (err as Error).message.split("\n")[0];
    note(`shards: the base plans in ${basePlans} cannot be read, so every stack is listed (${reason})`);
    return all;
  }
  const changed = new Set<string>();
  for (const file of files) {
    const shard = shards.get(file.stack)!;
    if (stackView(fleet, shard) !== stackView(base, shard)) changed.add(file.stack);
  }
  return changed;
}

/** What a stack registers from `fleet`, as comparable text: its tenants by id (where written aside) and dev project. */
function stackView(fleet: Fleet, shard: Shard): string {
  const tenants = fleet.tenants
    .filter((t) => managesTenant(shard, t))
    .map(({ source: _source, ...rest }: ResolvedTenant) => rest)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const dev = fleet.dev && managesDev(shard, fleet, fleet.dev) ? fleet.dev : null;
  return JSON.stringify({ tenants, dev });
}

function readOrEmpty(file: string): string {
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}

/** `production: 20 tenants + dev project (shard: all, bucket: 0/4, api: https://console.neon.tech/api/v2)` */
function describeShare(share: StackShare, file: StackFile, valid: boolean): string {
  if (!valid) return `${share.stack}: not counted, its shard settings are invalid (see below)`;
  const dev = share.dev ? " + dev project" : "";
  const scope = `shard: ${file.shard ?? "all"}, bucket: ${file.bucket ?? "all"}, api: ${share.apiHost}`;
  return `${share.stack}: ${share.tenants} tenants${dev} (${scope})`;
}
