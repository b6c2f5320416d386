import { z } from "zod";

/**
 * The emulator's own records: what it keeps in memory and writes to `--state`. API views (views.ts) are
 * computed from them on every answer, so time-dependent fields (operation status, endpoint state) stay true.
 * Times are epoch milliseconds.
 */

const quota = z.object({
  active_time_seconds: z.number().int().min(0).optional(),
  compute_time_seconds: z.number().int().min(0).optional(),
  written_data_bytes: z.number().int().min(0).optional(),
  data_transfer_bytes: z.number().int().min(0).optional(),
  logical_size_bytes: z.number().int().min(0).optional(),
});

/** `default_endpoint_settings` of a project, as the API accepts and answers it. */
export const defaultEndpointSettingsSchema = z.object({
  pg_settings: z.record(z.string(), z.string()).optional(),
  autoscaling_limit_min_cu: z.number().optional(),
  autoscaling_limit_max_cu: z.number().optional(),
  suspend_timeout_seconds: z.number().int().optional(),
});
export type DefaultEndpointSettings = z.infer<typeof defaultEndpointSettingsSchema>;

/** `settings` of a project; keys the emulator does not interpret are kept as sent. */
export const projectSettingsSchema = z.looseObject({ quota: quota.optional() });
export type ProjectSettings = z.infer<typeof projectSettingsSchema>;

/** The usage figures `POST /__emulator/consumption` sets and the consumption API reports. */
export const consumptionMetricsSchema = z.object({
  active_time_seconds: z.number().int().min(0).optional(),
  compute_time_seconds: z.number().int().min(0).optional(),
  written_data_bytes: z.number().int().min(0).optional(),
  data_transfer_bytes: z.number().int().min(0).optional(),
  synthetic_storage_size_bytes: z.number().int().min(0).optional(),
  logical_size_bytes: z.number().int().min(0).optional(),
});
export type ConsumptionMetrics = z.infer<typeof consumptionMetricsSchema>;

const projectRecord = z.object({
  id: z.string(),
  /** Creation order; list pages and cursors follow it. */
  seq: z.number().int(),
  name: z.string(),
  regionId: z.string(),
  pgVersion: z.number().int(),
  orgId: z.string().optional(),
  historyRetentionSeconds: z.number().int(),
  settings: projectSettingsSchema,
  defaultEndpointSettings: defaultEndpointSettingsSchema,
  defaultBranchId: z.string(),
  roleName: z.string(),
  databaseName: z.string(),
  /** The role's password: fake without --postgres, real for the local database with it. */
  password: z.string(),
  branchIds: z.array(z.string()),
  endpointIds: z.array(z.string()),
  operationIds: z.array(z.string()),
  consumption: consumptionMetricsSchema,
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type ProjectRecord = z.infer<typeof projectRecord>;

const roleRecord = z.object({
  name: z.string(),
  /** Fake without --postgres, the role's real password on the branch's local database with it. */
  password: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type RoleRecord = z.infer<typeof roleRecord>;

const databaseRecord = z.object({
  /** Neon numbers databases; unique within the branch. */
  id: z.number().int(),
  name: z.string(),
  ownerName: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type DatabaseRecord = z.infer<typeof databaseRecord>;

const branchRecord = z.object({
  id: z.string(),
  projectId: z.string(),
  parentId: z.string().optional(),
  name: z.string(),
  isDefault: z.boolean(),
  expiresAt: z.number().optional(),
  lastResetAt: z.number().optional(),
  /** When the branch's create/restore operations finish: until then it is `init`. */
  readyAt: z.number(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /**
   * The branch's roles and databases once any was created, deleted or changed through the API; absent means
   * the project's owner role and database only (so state files written before these existed still load).
   */
  roles: z.array(roleRecord).optional(),
  databases: z.array(databaseRecord).optional(),
  /** The annotation value the create took (`annotation_value`, key -> text); absent when it took none. */
  annotations: z.record(z.string(), z.string()).optional(),
});
export type BranchRecord = z.infer<typeof branchRecord>;

const endpointRecord = z.object({
  id: z.string(),
  projectId: z.string(),
  branchId: z.string(),
  minCu: z.number(),
  maxCu: z.number(),
  suspendTimeoutSeconds: z.number().int(),
  /** When the endpoint's start/apply_config operation finishes. */
  readyAt: z.number(),
  /** Suspended through the API: `idle` until started again. */
  suspended: z.boolean().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type EndpointRecord = z.infer<typeof endpointRecord>;

const operationRecord = z.object({
  id: z.string(),
  projectId: z.string(),
  branchId: z.string().optional(),
  endpointId: z.string().optional(),
  action: z.string(),
  createdAt: z.number(),
  /** The operation is `scheduling`, then `running`, then `finished` at this time. */
  finishAt: z.number(),
});
export type OperationRecord = z.infer<typeof operationRecord>;

/** Everything `--state FILE` holds; `version` lets a future layout refuse an old file clearly. */
export const stateSchema = z.object({
  version: z.literal(1),
  nextSeq: z.number().int(),
  projects: z.array(projectRecord),
  branches: z.array(branchRecord),
  endpoints: z.array(endpointRecord),
  operations: z.array(operationRecord),
});
export type State = z.infer<typeof stateSchema>;
