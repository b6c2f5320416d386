import type { Project } from "@neondatabase/api-client";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AdoptionError, ReplaceRefusedError } from "../errors";
import type { CallContext, CreatedProject } from "../neon";
import { neon } from "./neonAccess";
import { projectNamed } from "./projectIndex";
import { applyRestore, restoreInputSchema, restorePending, type Backup } from "./restore";
import { changedKeys, checkProperties, compact, recorded } from "./properties";
import { providerShim, type ResourceArgs } from "./providerShim";
import { endpointSettingsSchema, liveTierSettings, neonQuotaSchema, type TierSettings } from "./settings";
import { configureFromStack } from "./stackConnection";

/**
 * TenantProject: one tenant's Neon project. It is born with its tier's quota and endpoint settings (so a
 * new tenant costs one create and its operation wait), adopts an existing project instead of creating a
 * duplicate, refuses to replace a project (which destroys data) unless the stack opts in, and on removal
 * releases the project unless the tenant says `onRemove: delete`. Keeping the project on its tier after
 * birth is PlanQuota's job. A plan `restore` with a new token restores the default branch to a point in time
 * (see restore.ts); the backups it leaves are listed in the outputs.
 */

/** Inputs of a TenantProject, as the stack program derives them from the plans. */
export const tenantProjectInputsSchema = z.object({
  /** The tenant's stable key (plans); also the resource name. */
  tenantId: z.string().min(1),
  /** Deterministic Neon project name (prefix + tenant id), used to find the project after an ambiguous create. */
  projectName: z.string().min(1).max(64),
  tier: z.string().min(1),
  residency: z.string().min(1),
  /** Neon region id; changing it replaces the project. */
  region: z.string().min(1),
  /** Postgres major version; changing it replaces the project. */
  pgVersion: z.number().int().min(14).max(18),
  /** Neon organization id; changing it replaces the project. In outputs: the org Neon reports. */
  org: z.string().min(1).optional(),
  /** Id of an existing project to take over at create. */
  adopt: z.string().min(1).optional(),
  /** What removing the tenant from plans does to the project. */
  onRemove: z.enum(["retain", "delete"]),
  /** Quota the project is born with. */
  quota: neonQuotaSchema,
  /** Default endpoint settings the project is born with. */
  endpointSettings: endpointSettingsSchema,
  /** `history_retention_seconds` the project is born with; absent = Neon's plan default. PlanQuota owns it later. */
  historyRetentionSeconds: z.number().int().min(0).optional(),
  /** Point-in-time restore of the default branch; a new token is an update that restores, never a replace. */
  restore: restoreInputSchema.optional(),
  /** Stack opt-in (`neon-fleet:allowReplace`) to replace the project on a region/pgVersion/org change. */
  allowReplace: z.boolean(),
});

/** Inputs of a TenantProject. */
export type TenantProjectInputs = z.infer<typeof tenantProjectInputsSchema>;

/** Outputs of a TenantProject: its inputs plus what Neon reports about the project. */
export type TenantProjectOutputs = TenantProjectInputs & {
  projectId: string;
  regionId: string;
  defaultBranchId: string;
  host: string;
  /** Secret. */
  connectionUri: string;
  /** Secret. */
  pooledConnectionUri: string;
  /** The tier settings the project had when last seen (create or refresh); PlanQuota compares against them. */
  observedSettings: TierSettings;
  /** True when create took over an existing project instead of creating one. */
  adopted: boolean;
  /** Token of the last restore applied (or recorded at create); the same token never restores again. */
  restoredToken?: string;
  /** The `<tenant>-before-<token>` branches holding the state before each restore, oldest first. */
  backups?: Backup[];
};

/** Properties whose change replaces the project (Neon cannot move a project's region, version or org). */
const replaceKeys = ["region", "pgVersion", "org"] as const;
/**
 * Properties whose change is an update. `tier`, `quota` and `endpointSettings` are absent on purpose: after
 * birth PlanQuota owns them, so a re-tier shows once (on PlanQuota). `adopt` only matters at create, and
 * `allowReplace` is a permission, not a property of the project.
 */
const updateKeys = ["projectName", "onRemove", "residency"] as const;

/**
 * Ids whose replacement this process's diff allowed. A replace is delete-before-create and the delete runs
 * the stored provider with the OLD properties, which say `onRemove: retain` by default, so the delete alone
 * cannot tell a removal (release the project) from a replacement (must delete, or the deterministic name
 * would make the create adopt the old project back). The engine diffs a resource and then, in the same
 * provider process, runs its delete; the diff records the id here and the delete consumes it.
 */
const allowedReplacements = new Set<string>();

/** Validates the inputs offline. */
async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  return checkProperties(tenantProjectInputsSchema, news);
}

/** Offline: names replaced and updated properties; refuses a replace the stack did not allow. */
async function diff(id: string, olds: TenantProjectOutputs, news: TenantProjectInputs): Promise<pulumi.dynamic.DiffResult> {
  // Outputs record the org Neon reports for the project. A plan without an org accepts whatever org the
  // project is in; only a plan-set org that differs asks for a move.
  const replaces = changedKeys(olds, news, replaceKeys).filter((key) => key !== "org" || news.org !== undefined);
  const updates = changedKeys(olds, news, updateKeys);
  const restoring = restorePending(news.restore, olds.restoredToken);
  if (replaces.length > 0) {
    if (news.allowReplace !== true) {
      throw new ReplaceRefusedError(
        news.tenantId,
        replaces.map((property) => ({ property, from: olds[property], to: news[property] })),
      );
    }
    allowedReplacements.add(id);
  }
  const changes = replaces.length + updates.length > 0 || restoring;
  return { changes, replaces, deleteBeforeReplace: replaces.length > 0 };
}

/** Creates the tenant's project on its tier, or adopts the one named by `adopt` or by its deterministic name. */
async function create(inputs: TenantProjectInputs): Promise<pulumi.dynamic.CreateResult<TenantProjectOutputs>> {
  const news = tenantProjectInputsSchema.parse(inputs);
  const ctx: CallContext = { tenantId: news.tenantId };
  const existing = await projectToAdopt(news, ctx);
  if (existing) return adopt(existing, news, ctx);
  const retention = news.historyRetentionSeconds;
  const created = await neon().createProject(
    {
      name: news.projectName,
      region_id: news.region,
      pg_version: news.pgVersion as Project["pg_version"],
      ...(news.org === undefined ? {} : { org_id: news.org }),
      settings: { quota: news.quota },
      default_endpoint_settings: news.endpointSettings,
      ...(retention === undefined ? {} : { history_retention_seconds: retention }),
    },
    ctx,
  );
  return { id: created.project.id, outs: outputs(news, created) };
}

/** The live project (gone = empty id), so refresh records drift and a project deleted outside is recreated. */
async function read(id: string, state?: TenantProjectOutputs): Promise<pulumi.dynamic.ReadResult<TenantProjectOutputs>> {
  const props = recorded(state, `tenant ${id}`);
  const project = await neon().getProject(id, { tenantId: props.tenantId });
  if (!project) return { id: "", props: {} as TenantProjectOutputs };
  return {
    id,
    props: compact({
      ...props,
      projectName: project.name,
      region: project.region_id,
      regionId: project.region_id,
      pgVersion: project.pg_version,
      org: project.org_id ?? props.org,
      observedSettings: liveTierSettings(project),
    }),
  };
}

/**
 * Renames the project when its deterministic name changed, and restores the default branch when the plan's
 * restore token is new; other updates only refresh the recorded inputs.
 */
async function update(id: string, olds: TenantProjectOutputs, news: TenantProjectInputs): Promise<pulumi.dynamic.UpdateResult<TenantProjectOutputs>> {
  // Restore first: a restore point outside the history window then fails the update before anything changed.
  const restored = restorePending(news.restore, olds.restoredToken)
    ? {
        restoredToken: news.restore.token,
        backups: await applyRestore(id, olds.defaultBranchId, news.tenantId, news.restore),
      }
    : {};
  if (olds.projectName !== news.projectName) {
    await neon().updateProject(id, { name: news.projectName }, { tenantId: news.tenantId });
  }
  // `org` stays the project's recorded org: an update never moves a project (a move is a replace).
  return { outs: compact({ ...olds, ...news, adopt: news.adopt, org: olds.org, ...restored }) };
}

/** Deletes the project for `onRemove: delete` or an allowed replace; otherwise releases it (it stays in Neon). */
async function remove(id: string, props: TenantProjectOutputs): Promise<void> {
  const replacing = allowedReplacements.delete(id);
  if (props.onRemove !== "delete" && !replacing) {
    process.stderr.write(`tenant ${props.tenantId}: project ${id} retained in Neon (onRemove: retain); it is no longer managed\n`);
    return;
  }
  await neon().deleteProject(id, { tenantId: props.tenantId });
}

/** The project named by `adopt`, or the one already carrying the deterministic name; undefined to create. */
async function projectToAdopt(news: TenantProjectInputs, ctx: CallContext): Promise<Project | undefined> {
  const subject = `tenant ${news.tenantId}`;
  if (news.adopt !== undefined) {
    const project = await neon().getProject(news.adopt, ctx);
    if (!project) throw new AdoptionError(subject, `adopt: project ${news.adopt} does not exist in Neon; fix the id or remove adopt from the tenant's plan`);
    return project;
  }
  return projectNamed(news.projectName, ctx);
}

/** Takes over `project`: checks it matches the plan's placement, renames it, and reads its connection details. */
async function adopt(project: Project, news: TenantProjectInputs, ctx: CallContext): Promise<pulumi.dynamic.CreateResult<TenantProjectOutputs>> {
  const subject = `tenant ${news.tenantId}`;
  if (project.region_id !== news.region || project.pg_version !== news.pgVersion) {
    throw new AdoptionError(
      subject,
      `project ${project.id} (${project.name}) is in ${project.region_id} on Postgres ${project.pg_version}, but the plan says ` +
        `${news.region} on Postgres ${news.pgVersion}; set the tenant's region/pgVersion to match, or delete or rename that project`,
    );
  }
  const client = neon();
  const renamed = project.name === news.projectName ? project : await client.updateProject(project.id, { name: news.projectName }, ctx);
  const branches = await client.listBranches(project.id, ctx);
  const defaultBranch = branches.find((b) => b.default) ?? branches[0];
  if (!defaultBranch) throw new AdoptionError(subject, `project ${project.id} has no branch to connect to; adopt a project with a default branch`);
  const connectionUri = await client.connectionUri(project.id, { branchId: defaultBranch.id, pooled: false }, ctx);
  const pooledConnectionUri = await client.connectionUri(project.id, { branchId: defaultBranch.id, pooled: true }, ctx);
  const adopted: CreatedProject = {
    project: renamed,
    defaultBranchId: defaultBranch.id,
    host: new URL(connectionUri).hostname,
    connectionUri,
    pooledConnectionUri,
    adopted: true,
  };
  return { id: project.id, outs: outputs(news, adopted) };
}

function outputs(news: TenantProjectInputs, created: CreatedProject): TenantProjectOutputs {
  return compact({
    ...news,
    projectId: created.project.id,
    regionId: created.project.region_id,
    defaultBranchId: created.defaultBranchId,
    host: created.host,
    connectionUri: created.connectionUri,
    pooledConnectionUri: created.pooledConnectionUri,
    org: created.project.org_id ?? news.org,
    observedSettings: liveTierSettings(created.project),
    adopted: created.adopted,
    // A new or adopted project is recorded as restored: its plan entry is history, not a request to roll back.
    restoredToken: news.restore?.token,
  });
}

/** The implementation the provider process loads (see providerShim). */
export const provider: pulumi.dynamic.ResourceProvider<TenantProjectInputs, TenantProjectOutputs> = {
  configure: configureFromStack,
  check,
  diff,
  create,
  read,
  update,
  delete: remove,
};

const tenantProjectShim = providerShim("dist/provider/resources/tenantProject.js");

/** Arguments of a {@link TenantProject}: its inputs, each may be an Output. */
export type TenantProjectArgs = ResourceArgs<TenantProjectInputs>;

/** A tenant's Neon project (`pulumi-nodejs:dynamic/neon:TenantProject`, named by tenant id). */
export class TenantProject extends pulumi.dynamic.Resource {
  /** The Neon project id. */
  declare readonly projectId: pulumi.Output<string>;
  /** The Neon region the project lives in. */
  declare readonly regionId: pulumi.Output<string>;
  /** Postgres major version of the project. */
  declare readonly pgVersion: pulumi.Output<number>;
  /** Id of the project's default branch. */
  declare readonly defaultBranchId: pulumi.Output<string>;
  /** Host of the default branch's read-write endpoint. */
  declare readonly host: pulumi.Output<string>;
  /** Direct connection string of the default database (secret). */
  declare readonly connectionUri: pulumi.Output<string>;
  /** Pooled connection string of the default database (secret). */
  declare readonly pooledConnectionUri: pulumi.Output<string>;
  /** The tier settings the project had when last seen, for PlanQuota's offline comparison. */
  declare readonly observedSettings: pulumi.Output<TierSettings>;
  /** The `<tenant>-before-<token>` backup branches left by restores, oldest first. */
  declare readonly backups: pulumi.Output<Backup[] | undefined>;

  constructor(name: string, args: TenantProjectArgs, opts?: pulumi.CustomResourceOptions) {
    const outputsToCome = {
      projectId: undefined,
      regionId: undefined,
      defaultBranchId: undefined,
      host: undefined,
      connectionUri: undefined,
      pooledConnectionUri: undefined,
      observedSettings: undefined,
      backups: undefined,
    };
    super(
      tenantProjectShim,
      name,
      { ...outputsToCome, ...args },
      { ...opts, additionalSecretOutputs: ["connectionUri", "pooledConnectionUri"] },
      "neon",
      "TenantProject",
    );
  }
}
