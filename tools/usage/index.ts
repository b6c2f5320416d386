/**
 * `neon-fleet usage`: each tenant's consumption this month against its tier's quota. One listing maps tenants to
 * projects; consumption is read 100 projects a call under Neon's lower limit for that API.
 */
import type { NeonClient } from "../../provider/neon";
import type { Fleet } from "../../provider/plans";
import { usageOf, type Usage } from "./metrics";
import { compareWithQuotas, type TenantUsage } from "./report";

export { NEAR_LIMIT_PERCENT, type MetricUse, type TenantUsage } from "./report";
export { renderUsageTable } from "./render";

/** Reads in flight at once when data transfer is read project by project. */
const TRANSFER_READS_IN_FLIGHT = 8;

/** What `usage` reports: the period measured and every tenant's line. */
export interface UsageReport {
  /** Start of the month (UTC), ISO. */
  from: string;
  /** End of the period asked for, ISO. */
  to: string;
  /** Whether data transfer was measured (Neon's consumption history leaves it out; `--transfer` reads it per project). */
  dataTransferMeasured: boolean;
  tenants: TenantUsage[];
}

/** How to measure. */
export interface UsageOptions {
  fleet: Fleet;
  client: NeonClient;
  /** Also read each project's data transfer, one call per tenant. */
  transfer?: boolean;
  now?: Date;
}

/** Measures the fleet's consumption this month (UTC) and compares it with every tenant's quota. */
export async function measureUsage(options: UsageOptions): Promise<UsageReport> {
  const { fleet, client } = options;
  const now = options.now ?? new Date();
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
  // Daily figures are rounded down to the day; asking up to tomorrow includes today's.
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)).toISOString();

  const projectOf = await mapTenantsToProjects(fleet, client);
  const usage = new Map<string, Usage>();
  for await (const history of client.consumption([...new Set(projectOf.values())], from, to))
    usage.set(history.project_id, usageOf(history));
  if (options.transfer) await readTransfer(client, projectOf, usage);
  const dataTransferMeasured = [...usage.values()].some((u) => u.data_transfer_bytes !== undefined);
  return { from, to, dataTransferMeasured, tenants: compareWithQuotas(fleet, projectOf, usage) };
}

/** Tenant id -> project id, by `adopt:` id or the deterministic name, from one pass over the account. */
async function mapTenantsToProjects(fleet: Fleet, client: NeonClient): Promise<Map<string, string>> {
  const byName = new Map(fleet.tenants.filter((t) => !t.adopt).map((t) => [t.projectName, t.id]));
  const byAdopt = new Map(fleet.tenants.flatMap((t) => (t.adopt ? [[t.adopt, t.id] as const] : [])));
  const projectOf = new Map<string, string>();
  for await (const project of client.listProjects({ cache: false })) {
    const tenant = byAdopt.get(project.id) ?? byName.get(project.name);
    if (tenant !== undefined && !projectOf.has(tenant)) projectOf.set(tenant, project.id);
  }
  return projectOf;
}

async function readTransfer(
  client: NeonClient,
  projectOf: Map<string, string>,
  usage: Map<string, Usage>,
): Promise<void> {
  const entries = [...projectOf.entries()];
  let next = 0;
  const reader = async () => {
    for (let i = next++; i < entries.length; i = next++) {
      const [tenantId, projectId] = entries[i];
      const project = await client.getProjectUncached(projectId, { tenantId });
      const measured = usage.get(projectId);
      if (project && measured) measured.data_transfer_bytes = project.data_transfer_bytes;
    }
  };
  await Promise.all(Array.from({ length: TRANSFER_READS_IN_FLIGHT }, reader));
}
