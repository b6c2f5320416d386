/**
 * `neon-fleet migrations status`: each tenant's schema version as the stack state records it, read from a
 * `pulumi stack export` document or the engine double's state file (both list resources with type and outputs).
 */
import { FleetError } from "../errors";
import { formatVersion } from "../plans/migrations";

const TENANT_SCHEMA_TYPE = "pulumi-nodejs:dynamic/neon:TenantSchema";
const EXPECTED_STATE = "pass the output of `pulumi stack export` (or an engine double state file)";

/** One tenant's (or dev branch's) schema as recorded. */
export interface TenantSchemaStatus {
  /** Tenant id, or `dev/<branch>`. */
  tenant: string;
  stage: string;
  version: number;
  /** Highest planned version when the state was written. */
  planned: number;
  /** The migration that stopped the last apply, with Postgres's message. */
  failed?: { version: number; name: string; message: string };
}

/** One line of the grouped report: tenants at one version, failed or not. */
export interface StatusGroup {
  version: number;
  failed: boolean;
  tenants: string[];
}

/** The status report: per tenant, and grouped. */
export interface SchemaStatusReport {
  tenants: TenantSchemaStatus[];
  groups: StatusGroup[];
}

/** Reads the TenantSchema resources of a state document (text of `pulumi stack export`, or the double's state file). */
export function readSchemaStatus(text: string, file: string): SchemaStatusReport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new FleetError(`${file}: not JSON; ${EXPECTED_STATE}`);
  }
  const resources = resourcesOf(doc);
  if (!resources) throw new FleetError(`${file}: no resources list; ${EXPECTED_STATE}`);
  const tenants: TenantSchemaStatus[] = [];
  for (const r of resources) {
    if (r?.type !== TENANT_SCHEMA_TYPE || r.delete === true) continue;
    const outputs = (r.outputs ?? {}) as Record<string, unknown>;
    const planned = Array.isArray(outputs.migrations) ? (outputs.migrations as { version?: unknown }[]) : [];
    const failed = outputs.failed as TenantSchemaStatus["failed"] | undefined;
    tenants.push({
      tenant: String(outputs.tenantId ?? String(r.urn).split("::").at(-1)),
      stage: String(outputs.stage ?? "fleet"),
      version: typeof outputs.version === "number" ? outputs.version : 0,
      planned: planned.reduce<number>((max, m) => (typeof m.version === "number" ? Math.max(max, m.version) : max), 0),
      ...(failed && typeof failed.version === "number" ? { failed } : {}),
    });
  }
  tenants.sort((a, b) => a.tenant.localeCompare(b.tenant));
  const groups = new Map<string, StatusGroup>();
  for (const t of tenants) {
    const key = `${t.version}/${t.failed ? 1 : 0}`;
    if (!groups.has(key)) groups.set(key, { version: t.version, failed: t.failed !== undefined, tenants: [] });
    groups.get(key)!.tenants.push(t.tenant);
  }
  const sorted = [...groups.values()].sort((a, b) => b.tenants.length - a.tenants.length || b.version - a.version);
  return { tenants, groups: sorted };
}

/** Names shown per failed group before folding. */
const FAILED_NAMES_SHOWN = 20;

/** `318 at 0004, 2 failed at 0003: acme, globex`, then one line per failed tenant with its error. */
export function renderSchemaStatus(report: SchemaStatusReport): string {
  if (report.tenants.length === 0) {
    return "no TenantSchema resources in this state (no migrations in the plans, or no `up` yet)\n";
  }
  const summary = report.groups
    .map((g) => {
      if (!g.failed) return `${g.tenants.length} at ${formatVersion(g.version)}`;
      const shown = g.tenants.slice(0, FAILED_NAMES_SHOWN).join(", ");
      const hidden = g.tenants.length - FAILED_NAMES_SHOWN;
      const more = hidden > 0 ? ` … and ${hidden} more` : "";
      return `${g.tenants.length} failed at ${formatVersion(g.version)}: ${shown}${more}`;
    })
    .join(", ");
  const failures = report.tenants.filter((t) => t.failed).map((t) => `  ${t.tenant}: ${t.failed!.message}`);
  return `${[summary, ...failures].join("\n")}\n`;
}

type StateResource = { type?: unknown; urn?: unknown; outputs?: unknown; delete?: unknown };

function resourcesOf(doc: unknown): StateResource[] | undefined {
  const d = doc as { resources?: unknown; deployment?: { resources?: unknown } } | null;
  const list = d?.deployment?.resources ?? d?.resources;
  return Array.isArray(list) ? list : undefined;
}
