import { stringify } from "yaml";
import { formatDuration, formatSize, formatSuspend } from "../../provider/plans";
import type { TierSettings } from "../../provider/resources/tierSettings";

/** One tenant entry to write: the keys a TenantProject needs to take the project over unchanged. */
export interface ImportedTenant {
  id: string;
  tier: string;
  residency: string;
  region: string;
  pgVersion: number;
  adopt: string;
  /** The project's name, kept as a comment so a reviewer can tell which project became which tenant. */
  projectName: string;
  /** Set when no tier matched: the live values, so the reviewer can pick a tier or write overrides. */
  unmatched?: TierSettings;
}

/**
 * A string as a YAML scalar, quoted by the yaml library whenever YAML would read it plain as something else (`true`,
 * `null`, `0x1f`, `1e3`, `12`): the file must read back as the strings written, through the same parser as the plans.
 */
function scalar(value: string): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/** The file's opening lines: where it came from and how to use it. */
export function renderHeader(source: string, date: string): string {
  return [
    `# Written by \`neon-fleet import\` from ${source} on ${date}: the projects not yet in the plans, each taken over`,
    '# by its `adopt:` id (nothing is created). Review tiers marked "no tier matched" before `pulumi up`.',
    "",
  ].join("\n");
}

/** One tenant list item, with explicit region and pgVersion: a later change of fleet defaults must not replace it. */
export function renderTenant(t: ImportedTenant): string {
  const lines = [`  - id: ${scalar(t.id)} # project ${JSON.stringify(t.projectName)}`];
  if (t.unmatched) lines.push(`    # no tier matched; live: ${describeLive(t.unmatched)}`);
  lines.push(
    `    tier: ${scalar(t.tier)}`,
    `    residency: ${scalar(t.residency)}`,
    `    region: ${scalar(t.region)}`,
    `    pgVersion: ${t.pgVersion}`,
    `    adopt: ${scalar(t.adopt)}`,
  );
  return `${lines.join("\n")}\n`;
}

/** Live settings in tiers.yaml's words and units. */
function describeLive({ quota, endpointSettings: e }: TierSettings): string {
  return [
    `compute { min: ${e.autoscaling_limit_min_cu}, max: ${e.autoscaling_limit_max_cu} }`,
    `suspendAfter ${formatSuspend(e.suspend_timeout_seconds)}`,
    `computeTime ${formatDuration(quota.compute_time_seconds)}`,
    `activeTime ${formatDuration(quota.active_time_seconds)}`,
    `storage ${formatSize(quota.logical_size_bytes)}`,
    `dataTransfer ${formatSize(quota.data_transfer_bytes)}`,
    `writtenData ${formatSize(quota.written_data_bytes)}`,
  ].join(", ");
}
