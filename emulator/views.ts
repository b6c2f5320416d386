import { DEFAULT_ORG_ID } from "./organizations";
import type { DatabaseBackend } from "./databaseBackend";
import { connectionUri, type Credentials, endpointHost, proxyHost } from "./connection";
import type { BranchRecord, DatabaseRecord, EndpointRecord, OperationRecord, ProjectRecord, RoleRecord } from "./model";
import { DEFAULT_CU } from "./rules";

/**
 * API views of the records: exactly the shapes of the OpenAPI document (checked by the contract test).
 * Status fields are computed from `now`, so an operation moves scheduling -> running -> finished by itself.
 */

const iso = (ms: number): string => new Date(ms).toISOString();
const OWNER_ID = "emulator-user";
const PROVISIONER = "k8s-neonvm";
/** Share of an operation's duration spent in `scheduling` before it is `running`. */
const SCHEDULING_SHARE = 0.2;

/** The status of an operation at `now`. */
export function operationStatus(op: OperationRecord, now: number): "scheduling" | "running" | "finished" {
  if (now >= op.finishAt) return "finished";
  return now < op.createdAt + (op.finishAt - op.createdAt) * SCHEDULING_SHARE ? "scheduling" : "running";
}

export function operationView(op: OperationRecord, now: number) {
  const status = operationStatus(op, now);
  return {
    id: op.id,
    project_id: op.projectId,
    ...(op.branchId && { branch_id: op.branchId }),
    ...(op.endpointId && { endpoint_id: op.endpointId }),
    action: op.action,
    status,
    failures_count: 0,
    created_at: iso(op.createdAt),
    updated_at: iso(status === "finished" ? op.finishAt : op.createdAt),
    total_duration_ms: status === "finished" ? op.finishAt - op.createdAt : 0,
  };
}

/** Start and end of the calendar month of `now`: Neon's consumption period. */
export function consumptionPeriod(now: number): { start: string; end: string } {
  const d = new Date(now);
  return {
    start: iso(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)),
    end: iso(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)),
  };
}

/** Fields shared by the full project view and the list item. */
function projectCommon(p: ProjectRecord) {
  return {
    id: p.id,
    platform_id: p.regionId.split("-")[0],
    region_id: p.regionId,
    name: p.name,
    provisioner: PROVISIONER,
    default_endpoint_settings: p.defaultEndpointSettings,
    settings: p.settings,
    pg_version: p.pgVersion,
    proxy_host: proxyHost(p.regionId),
    branch_logical_size_limit: 0,
    branch_logical_size_limit_bytes: -1,
    store_passwords: true,
    cpu_used_sec: 0,
    creation_source: "console",
    history_retention_seconds: p.historyRetentionSeconds,
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
    owner_id: OWNER_ID,
    // Every Neon project belongs to an organization; one created without `org_id` to the key's default one.
    org_id: p.orgId ?? DEFAULT_ORG_ID,
  };
}

export function projectView(p: ProjectRecord, now: number) {
  const period = consumptionPeriod(now);
  const c = p.consumption;
  return {
    ...projectCommon(p),
    consumption_period_start: period.start,
    consumption_period_end: period.end,
    active_time_seconds: c.active_time_seconds ?? 0,
    compute_time_seconds: c.compute_time_seconds ?? 0,
    written_data_bytes: c.written_data_bytes ?? 0,
    data_transfer_bytes: c.data_transfer_bytes ?? 0,
    data_storage_bytes_hour: 0,
    synthetic_storage_size: c.synthetic_storage_size_bytes ?? 0,
  };
}

export function projectListItemView(p: ProjectRecord) {
  return { ...projectCommon(p), active_time: p.consumption.active_time_seconds ?? 0 };
}

export function branchView(b: BranchRecord, now: number) {
  const ready = now >= b.readyAt;
  return {
    id: b.id,
    project_id: b.projectId,
    ...(b.parentId && { parent_id: b.parentId, parent_lsn: "0/1F0B9A8", parent_timestamp: iso(b.createdAt) }),
    name: b.name,
    current_state: ready ? "ready" : "init",
    ...(!ready && { pending_state: "ready" }),
    state_changed_at: iso(ready ? b.readyAt : b.createdAt),
    logical_size: 0,
    creation_source: "console",
    primary: b.isDefault,
    default: b.isDefault,
    protected: false,
    cpu_used_sec: 0,
    compute_time_seconds: 0,
    active_time_seconds: 0,
    written_data_bytes: 0,
    data_transfer_bytes: 0,
    created_at: iso(b.createdAt),
    updated_at: iso(b.updatedAt),
    ...(b.expiresAt !== undefined && {
      expires_at: iso(b.expiresAt),
      ttl_interval_seconds: Math.round((b.expiresAt - b.updatedAt) / 1000),
    }),
    ...(b.lastResetAt !== undefined && { last_reset_at: iso(b.lastResetAt) }),
    init_source: "parent-data",
  };
}

export function endpointView(e: EndpointRecord, p: ProjectRecord, now: number, backend?: DatabaseBackend) {
  return {
    host: endpointAddress(p, e, backend),
    id: e.id,
    project_id: e.projectId,
    branch_id: e.branchId,
    autoscaling_limit_min_cu: e.minCu,
    autoscaling_limit_max_cu: e.maxCu,
    region_id: p.regionId,
    type: "read_write",
    current_state: e.suspended ? "idle" : now >= e.readyAt ? "active" : "init",
    ...(!e.suspended && now < e.readyAt && { pending_state: "active" }),
    settings: {},
    pooler_enabled: false,
    pooler_mode: "transaction",
    disabled: false,
    passwordless_access: true,
    creation_source: "console",
    created_at: iso(e.createdAt),
    updated_at: iso(e.updatedAt),
    proxy_host: proxyHost(p.regionId),
    suspend_timeout_seconds: e.suspendTimeoutSeconds,
    provisioner: PROVISIONER,
  };
}

/** A role of a branch; Neon shows the password only in the answers that create or reset it. */
export function roleView(r: RoleRecord, branchId: string, withPassword = false) {
  return {
    branch_id: branchId,
    name: r.name,
    ...(withPassword && { password: r.password }),
    protected: false,
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
  };
}

/** A database of a branch. */
export function databaseView(d: DatabaseRecord, branchId: string) {
  const times = { created_at: iso(d.createdAt), updated_at: iso(d.updatedAt) };
  return { id: d.id, branch_id: branchId, name: d.name, owner_name: d.ownerName, ...times };
}

/**
 * Where clients reach an endpoint. With a data plane it is the branch's local `host:port` (Neon's hosts carry
 * no port, but the local branches listen on ports of their own, and clients such as neonctl build their
 * connection strings from this field alone).
 */
export function endpointAddress(p: ProjectRecord, e: EndpointRecord, backend?: DatabaseBackend, pooled = false) {
  if (!backend) return endpointHost(p.regionId, e.id, pooled);
  const { host, port } = backend.address(p.id, e.branchId);
  return `${host}:${port}`;
}

/** `connection_uris` of create answers: the direct URI plus the parameters a client needs. */
export function connectionDetailsView(
  p: ProjectRecord,
  e: EndpointRecord,
  credentials: Credentials,
  backend?: DatabaseBackend,
) {
  return {
    connection_uri: connectionUri(p, e, credentials, false, backend),
    connection_parameters: {
      database: credentials.databaseName,
      password: credentials.password,
      role: credentials.roleName,
      host: endpointAddress(p, e, backend),
      pooler_host: endpointAddress(p, e, backend, true),
    },
  };
}

/** Default compute settings of a new endpoint: the project's `default_endpoint_settings`, else Neon's defaults. */
export function endpointDefaults(p: ProjectRecord): { minCu: number; maxCu: number; suspendTimeoutSeconds: number } {
  const d = p.defaultEndpointSettings;
  const minCu = d.autoscaling_limit_min_cu ?? DEFAULT_CU;
  return {
    minCu,
    maxCu: d.autoscaling_limit_max_cu ?? Math.max(minCu, DEFAULT_CU),
    suspendTimeoutSeconds: d.suspend_timeout_seconds ?? 0,
  };
}
