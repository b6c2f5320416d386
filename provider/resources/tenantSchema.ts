import { types } from "node:util";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { MigrationError } from "../errors";
import { migrate, readApplied, type SchemaProgress, type SchemaTarget } from "../schemaMigrations/apply";
import { DEFAULT_MIGRATION_CONCURRENCY, setMigrationConcurrency } from "../schemaMigrations/connections";
import { appliedDigest, pendingMigrations, schemaNeedsApply, versionOf } from "../schemaMigrations/plan";
import { changedKeys, checkProperties, compact, recorded } from "./properties";
import { DynamicResource, providerShim, type ResourceArgs } from "./providerShim";
import { configureFromStack, stackCount, stackFlag } from "./stackConnection";

/**
 * TenantSchema: the schema version of one tenant's database (or a dev branch's), as part of the desired state.
 * The plans' `migrations/NNNN_name.sql` files are applied in order, each in its own transaction with its row in
 * `neon_fleet.schema_migrations`; the state records the version reached and one digest of what was applied,
 * never SQL. diff is offline (pending = planned versions beyond the recorded one), so preview opens no database
 * connection.
 *
 * A failed migration fails the resource's step, so under Pulumi the resources that depend on it (the rest of the
 * fleet depends on the canary tenants) are not updated. The step is a partial failure: the provider reports the
 * outputs with the version the tenant really reached and a `failed` marker naming the migration and Postgres's
 * message, and the engine records them (Pulumi's UpdateStep keeps the outputs of an ErrorResourceInitFailed), so
 * the state says where each tenant is. The next `up` resumes from the database's own table.
 */

/** Inputs of a TenantSchema, as the stack program derives them from the plans. */
export const tenantSchemaInputsSchema = z.object({
  /** Tenant id, or `dev/<branch>` for a dev branch; also the resource name. */
  tenantId: z.string().min(1),
  /** Rollout stage: dev branches first, then the canary tenants, then the fleet. Shown in summaries; no update. */
  stage: z.enum(["dev", "canary", "fleet"]),
  /** The planned migrations in version order (contiguous). A new version is an update that applies it. */
  migrations: z.array(
    z.object({
      version: z.number().int().nonnegative(),
      name: z.string().min(1),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
  /** Plans directory of this run; the SQL is read from its `migrations/` at apply time. Not compared by diff. */
  plansDir: z.string().min(1),
  /** Connection string of the tenant's project or dev branch (secret). A change updates the state only. */
  connection: z.string().min(1),
  /** Database migrated (`migrations.database`, default neondb); a change replaces (new database, new version). */
  database: z.string().min(1),
  /** Role the migrations run as (`migrations.role`, default neondb_owner); a change updates the state only. */
  role: z.string().min(1),
  /** `migrations.statementTimeout` in seconds (default 300); a change updates the state only. */
  statementTimeoutSeconds: z.number().int().positive(),
});

/** Inputs of a TenantSchema. */
export type TenantSchemaInputs = z.infer<typeof tenantSchemaInputsSchema>;

/** The migration that stopped a tenant in its last apply. */
export interface SchemaFailure {
  version: number;
  name: string;
  message: string;
}

/** Outputs of a TenantSchema: its inputs plus where the tenant's schema is. */
export type TenantSchemaOutputs = TenantSchemaInputs & {
  /** Highest migration version applied (0 = none). */
  version: number;
  /** Digest of the applied versions and their SHA-256s (see appliedDigest). */
  digest: string;
  /** Set when the last apply failed: the tenant is at `version`, `failed.version` did not apply. */
  failed?: SchemaFailure;
};

/** Another database is another schema, starting from nothing. */
const replaceKeys = ["database"] as const;
/** Recorded without touching the database. `migrations` is judged by version and digest instead (see diff). */
const updateKeys = ["connection", "role", "statementTimeoutSeconds"] as const;

/** Whether `neon-fleet:refreshSchema` lets refresh read each tenant's table (it wakes every tenant's compute). */
let refreshSchema = false;

/** Validates the inputs offline. */
async function check(
  _olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult> {
  return checkProperties(tenantSchemaInputsSchema, news);
}

/**
 * Offline: a change when migrations are pending beyond the recorded version, when the plans' files up to that
 * version no longer match what was applied (the update then reports the edited file), or after a failed apply.
 */
async function diff(
  _id: string,
  olds: TenantSchemaOutputs,
  news: TenantSchemaInputs,
): Promise<pulumi.dynamic.DiffResult> {
  const replaces = changedKeys(olds, news, replaceKeys);
  const updates = changedKeys(olds, news, updateKeys);
  const planned = Array.isArray(news.migrations) ? news.migrations : [];
  const schemaChanged = schemaNeedsApply(planned, olds.version ?? 0, olds.digest ?? "") || olds.failed !== undefined;
  return { changes: replaces.length + updates.length > 0 || schemaChanged, replaces, deleteBeforeReplace: false };
}

/** Applies every planned migration the database does not have yet. */
async function create(inputs: TenantSchemaInputs): Promise<pulumi.dynamic.CreateResult<TenantSchemaOutputs>> {
  const news = tenantSchemaInputsSchema.parse(inputs);
  const outs = await converge(news.tenantId, news, { version: 0, digest: appliedDigest([]) });
  return { id: news.tenantId, outs };
}

/**
 * With `neon-fleet:refreshSchema: true`, the version and digest recorded in the database; otherwise the state as
 * it is, because reading wakes every tenant's compute.
 */
async function read(id: string, state?: TenantSchemaOutputs): Promise<pulumi.dynamic.ReadResult<TenantSchemaOutputs>> {
  const props = recorded(state, `tenant ${id} schema`);
  if (!refreshSchema) return { id, props };
  const applied = await readApplied(props);
  const version = versionOf(applied);
  const failed = props.failed && props.failed.version > version ? props.failed : undefined;
  return { id, props: compact({ ...props, version, digest: appliedDigest(applied), failed }) };
}

/** Applies the pending migrations; records a new connection, role or timeout without connecting when none are. */
async function update(
  id: string,
  olds: TenantSchemaOutputs,
  news: TenantSchemaInputs,
): Promise<pulumi.dynamic.UpdateResult<TenantSchemaOutputs>> {
  const from = { version: olds.version ?? 0, digest: olds.digest ?? appliedDigest([]) };
  return { outs: await converge(id, news, from, olds.failed) };
}

/** Nothing to undo: the schema lives and dies with the tenant's database, which TenantProject owns. */
async function remove(): Promise<void> {}

/**
 * Brings the database to the plans, or records where it stopped. Connects only when a migration is pending, the
 * digest disagrees with the plans, or the last apply failed.
 */
async function converge(
  id: string,
  news: TenantSchemaInputs,
  from: SchemaProgress,
  failed?: SchemaFailure,
): Promise<TenantSchemaOutputs> {
  const progress = { ...from };
  const needed = schemaNeedsApply(news.migrations, from.version, from.digest) || failed !== undefined;
  if (!needed) return outputs(news, progress);
  try {
    await migrate(targetOf(news), progress);
    return outputs(news, progress);
  } catch (err) {
    throw partialFailure(id, news, progress, err);
  }
}

function targetOf(news: TenantSchemaInputs): SchemaTarget {
  return { ...news, planned: news.migrations };
}

function outputs(news: TenantSchemaInputs, progress: SchemaProgress, failed?: SchemaFailure): TenantSchemaOutputs {
  return compact({ ...news, version: progress.version, digest: progress.digest, failed });
}

/**
 * The error Pulumi's dynamic-provider server turns into ErrorResourceInitFailed (it looks for `id`,
 * `properties` and `reasons`): the step fails, and the engine records these outputs with the real version.
 */
function partialFailure(id: string, news: TenantSchemaInputs, progress: SchemaProgress, err: unknown): Error {
  // isNativeError, not instanceof: a socket error of Node core comes from another realm under jest.
  const error = types.isNativeError(err) ? err : new Error(String(err));
  const migration = err instanceof MigrationError ? err.migration : undefined;
  const next = migration ?? pendingMigrations(news.migrations, progress.version)[0];
  const failed = next ? { version: next.version, name: next.name, message: error.message } : undefined;
  return Object.assign(error, { id, properties: outputs(news, progress, failed), reasons: [error.message] });
}

/** The implementation the provider process loads (see providerShim). */
export const provider: pulumi.dynamic.ResourceProvider<TenantSchemaInputs, TenantSchemaOutputs> = {
  async configure(req) {
    await configureFromStack(req);
    refreshSchema = stackFlag(req, "neon-fleet:refreshSchema", false);
    setMigrationConcurrency(stackCount(req, "neon-fleet:migrationConcurrency", DEFAULT_MIGRATION_CONCURRENCY));
  },
  check,
  diff,
  create,
  read,
  update,
  delete: remove,
};

const tenantSchemaShim = providerShim(__filename);

/** Arguments of a {@link TenantSchema}: its inputs, each may be an Output. */
export type TenantSchemaArgs = ResourceArgs<TenantSchemaInputs>;

/**
 * The schema version of a tenant's database (`pulumi-nodejs:dynamic/neon:TenantSchema`, named by tenant id, or
 * `dev/<branch>` for a dev branch). Give it the connection output of the tenant's TenantProject (or DevBranch).
 */
export class TenantSchema extends DynamicResource {
  /** Highest migration version applied (0 = none). */
  declare readonly version: pulumi.Output<number>;
  /** Digest of the applied migrations' versions and SHA-256s. */
  declare readonly digest: pulumi.Output<string>;
  /** The migration that stopped the last apply, if it failed. */
  declare readonly failed: pulumi.Output<SchemaFailure | undefined>;

  constructor(name: string, args: TenantSchemaArgs, opts?: pulumi.CustomResourceOptions) {
    const outputsToCome = { version: undefined, digest: undefined, failed: undefined };
    const options = { ...opts, additionalSecretOutputs: ["connection"] };
    super(tenantSchemaShim, name, { ...outputsToCome, ...args }, options, "neon", "TenantSchema");
  }
}
