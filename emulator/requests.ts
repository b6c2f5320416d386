import { z } from "zod";
import { badRequest } from "./apiError";
import { consumptionMetricsSchema, defaultEndpointSettingsSchema, projectSettingsSchema } from "./model";

/**
 * Request bodies of the emulated routes, as the OpenAPI document defines them (unknown keys are ignored,
 * as Neon does). Neon's value rules beyond types (regions, CU, suspend, TTL) live in rules.ts.
 */

const name = z.string().min(1).max(256);
const id = z.string().regex(/^[a-z0-9-]{1,60}$/);
const historyRetention = z.number().int().min(0).max(2_592_000);

export const projectCreateBody = z.object({
  project: z.object({
    name: name.optional(),
    region_id: z.string().optional(),
    pg_version: z.number().int().optional(),
    org_id: id.optional(),
    settings: projectSettingsSchema.optional(),
    default_endpoint_settings: defaultEndpointSettingsSchema.optional(),
    history_retention_seconds: historyRetention.optional(),
    branch: z
      .object({
        name: name.optional(),
        role_name: z.string().min(1).optional(),
        database_name: z.string().min(1).optional(),
      })
      .optional(),
  }),
});

/** `TransferProjectsToOrganizationRequest`: 1 to 400 project ids. */
export const transferProjectsBody = z.object({
  destination_org_id: id,
  project_ids: z.array(id).min(1).max(400),
});

export const projectUpdateBody = z.object({
  project: z.looseObject({
    name: name.optional(),
    settings: projectSettingsSchema.optional(),
    default_endpoint_settings: defaultEndpointSettingsSchema.optional(),
    history_retention_seconds: historyRetention.optional(),
  }),
});

const endpointOptions = z.object({
  type: z.enum(["read_only", "read_write"]),
  autoscaling_limit_min_cu: z.number().optional(),
  autoscaling_limit_max_cu: z.number().optional(),
  suspend_timeout_seconds: z.number().int().optional(),
});
export type EndpointOptions = z.infer<typeof endpointOptions>;

export const branchCreateBody = z.object({
  branch: z
    .object({
      parent_id: id.optional(),
      name: name.optional(),
      expires_at: z.string().optional(),
      protected: z.boolean().optional(),
    })
    .optional(),
  endpoints: z.array(endpointOptions).optional(),
  /** Neon's AnnotationValueData: at most 50 keys, text values. */
  annotation_value: z
    .record(z.string(), z.string())
    .refine((value) => Object.keys(value).length <= 50, "annotation_value has at most 50 properties")
    .optional(),
});

export const branchUpdateBody = z.object({
  branch: z.object({
    name: name.optional(),
    protected: z.boolean().optional(),
    expires_at: z.string().nullable().optional(),
  }),
});

export const branchRestoreBody = z.object({
  source_branch_id: id,
  source_lsn: z.string().optional(),
  source_timestamp: z.string().optional(),
  preserve_under_name: z.string().optional(),
});

export const endpointUpdateBody = z.object({
  endpoint: z.looseObject({
    autoscaling_limit_min_cu: z.number().optional(),
    autoscaling_limit_max_cu: z.number().optional(),
    suspend_timeout_seconds: z.number().int().optional(),
    name: z.string().min(1).max(64).optional(),
  }),
});

export const endpointCreateBody = z.object({
  endpoint: endpointOptions.extend({
    branch_id: id,
    region_id: z.string().optional(),
    name: z.string().min(1).max(64).optional(),
  }),
});

/** Postgres identifiers are at most 63 bytes; Neon refuses longer role and database names. */
const pgName = z.string().min(1).max(63);

export const databaseCreateBody = z.object({ database: z.object({ name: pgName, owner_name: pgName }) });

export const databaseUpdateBody = z.object({
  database: z.object({ name: pgName.optional(), owner_name: pgName.optional() }),
});

export const roleCreateBody = z.object({ role: z.object({ name: pgName, no_login: z.boolean().optional() }) });

/** Body of `POST /__emulator/consumption`. */
export const consumptionSetBody = z.object({ projectId: id, metrics: consumptionMetricsSchema });

/** Parses a body with `schema`; a mismatch is a 400 naming the first offending field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue.path.length > 0 ? issue.path.join(".") : "body";
  throw badRequest(`${where}: ${issue.message}`);
}
