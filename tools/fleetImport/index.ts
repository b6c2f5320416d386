/**
 * `neon-fleet import`: turns the projects of an account that the plans do not manage yet into tenants YAML with
 * `adopt:` ids, streaming page by page so that 100k projects need neither 100k reads nor the whole account in memory.
 */
import type { ProjectListItem } from "@neondatabase/api-client";
import type { NeonClient } from "../../provider/neon";
import { residencyOf, type Fleet } from "../../provider/plans";
import { liveTierSettings } from "../../provider/resources/tierSettings";
import { deriveTenantId, matchingTier } from "./derive";
import { GeneratedTiers, type GeneratedTier } from "./generatedTiers";
import { renderHeader, renderTenant, type ImportedTenant } from "./render";

/** Postgres versions the plans accept. */
const PG_VERSIONS = { min: 14, max: 18 };
const PROGRESS_EVERY_MS = 1_000;
/** Skips named one by one on stderr; past this they are only counted, so a huge account can't flood the terminal. */
const SKIPS_NAMED = 20;

/** What an import needs: the plans it adds to, the client to read the account with, where to write and report. */
export interface ImportOptions {
  fleet: Fleet;
  client: NeonClient;
  /** Where the account was read from, for the file header (a URL; never a key). */
  source: string;
  /** Receives the YAML text in order; awaited, so a slow disk or pipe slows the listing instead of filling memory. */
  write(chunk: string): Promise<void>;
  /** Receives one-line progress and skip notices (stderr in the CLI). */
  report(line: string): void;
  /**
   * Receives the tiers generated for projects no tier matched (once, after the listing), to add to tiers.yaml.
   * Without it such tenants keep the fleet's default tier with a comment holding their live settings.
   */
  addTiers?(tiers: GeneratedTier[]): Promise<void>;
  now?: Date;
}

/** What an import did. */
export interface ImportSummary {
  /** Projects read from the account. */
  scanned: number;
  /** Projects written as tenants. */
  imported: number;
  /** Of those, tenants written with the fleet's default tier because no tier matched exactly. */
  unmatched: number;
  /** Tiers generated into tiers.yaml for projects no tier matched, with the tenants on each. */
  generatedTiers: GeneratedTier[];
  /** Projects the plans already manage (by name, `adopt:` id, or the dev project). */
  managed: number;
  /** Projects that cannot become tenants as they are, with the reason. */
  skipped: { projectId: string; reason: string }[];
}

/** Reads every project of the account once and writes a tenant for each one the plans do not manage. */
export async function importFleet(options: ImportOptions): Promise<ImportSummary> {
  const { fleet, client } = options;
  const managedNames = new Set(fleet.tenants.map((t) => t.projectName));
  if (fleet.dev) managedNames.add(fleet.dev.projectName);
  const managedIds = new Set(fleet.tenants.flatMap((t) => (t.adopt ? [t.adopt] : [])));
  const takenIds = new Set(fleet.tenants.map((t) => t.id));
  const generated = new GeneratedTiers(new Set(Object.keys(fleet.tiers)));
  const summary: ImportSummary = { scanned: 0, imported: 0, unmatched: 0, managed: 0, skipped: [], generatedTiers: [] };

  await options.write(renderHeader(options.source, (options.now ?? new Date()).toISOString().slice(0, 10)));
  let lastProgress = Date.now();
  for await (const project of client.listProjects({ cache: false })) {
    summary.scanned++;
    if (managedNames.has(project.name) || managedIds.has(project.id)) {
      summary.managed++;
    } else {
      const tenant = toTenant(project, fleet, takenIds, options.addTiers ? generated : undefined);
      if (typeof tenant === "string") {
        summary.skipped.push({ projectId: project.id, reason: tenant });
        if (summary.skipped.length <= SKIPS_NAMED)
          options.report(`import: skipped project ${project.id} (${JSON.stringify(project.name)}): ${tenant}`);
      } else {
        if (summary.imported === 0) await options.write("tenants:\n");
        await options.write(renderTenant(tenant));
        summary.imported++;
        if (tenant.unmatched) summary.unmatched++;
      }
    }
    if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = Date.now();
      options.report(progressLine(summary));
    }
  }
  if (summary.imported === 0) await options.write("tenants: []\n");
  summary.generatedTiers = generated.list;
  if (summary.generatedTiers.length > 0) await options.addTiers?.(summary.generatedTiers);
  options.report(progressLine(summary));
  return summary;
}

function progressLine(s: ImportSummary): string {
  const generated =
    s.generatedTiers.length > 0
      ? `, tiers ${s.generatedTiers.map((t) => `${t.name} (${t.tenants})`).join(", ")} added to tiers.yaml`
      : "";
  return (
    `import: ${s.scanned} projects read, ${s.imported} written as tenants (${s.unmatched} without a matching ` +
    `tier${generated}), ${s.managed} already in the plans, ${s.skipped.length} skipped`
  );
}

/** The tenant for a project, or why it cannot be one. */
function toTenant(
  project: ProjectListItem,
  fleet: Fleet,
  takenIds: Set<string>,
  generated?: GeneratedTiers,
): ImportedTenant | string {
  const residency = residencyOf(fleet, project.region_id);
  if (!residency)
    return `region ${project.region_id} is in no residency group: add it to a group in fleet.yaml, then import again`;
  if (project.pg_version < PG_VERSIONS.min || project.pg_version > PG_VERSIONS.max) {
    return `Postgres ${project.pg_version} is outside ${PG_VERSIONS.min}..${PG_VERSIONS.max}, which the plans accept`;
  }
  const live = liveTierSettings(project);
  const tier = matchingTier(live, fleet.tiers) ?? generated?.tierFor(live);
  return {
    id: deriveTenantId(project.name, fleet.projectNamePrefix, takenIds),
    tier: tier?.name ?? fleet.defaults.tier,
    residency,
    region: project.region_id,
    pgVersion: project.pg_version,
    adopt: project.id,
    projectName: project.name,
    ...(!tier && { unmatched: live }),
  };
}
