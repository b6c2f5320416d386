import type { Project } from "@neondatabase/api-client";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AdoptionError, ReplaceRefusedError } from "../errors";
import type { CallContext, CreatedProject } from "../neon";
import { MAX_PROJECT_NAME_LENGTH } from "../neon/limits";
import { neon } from "./neonAccess";
import { projectNamed } from "./projectIndex";
import { applyRestore, restoreInputSchema, restorePending, type Backup } from "./restore";
import { changedKeys, checkProperties, compact, gone, recorded } from "./properties";
import { providerShim, type ResourceArgs } from "./providerShim";
import { endpointSettingsSchema, liveTierSettings, neonQuotaSchema, type TierSettings } from "./settings";
import { configureFromStack, stackFlag } from "./stackConnection";

/**
 * TenantProject: one tenant's Neon project. It is born with its tier's quota and endpoint settings (so a
 * new tenant costs one create and its operation wait), adopts an existing project instead of creating a
 * duplicate, and on removal releases the project unless the tenant says `onRemove: delete`. Keeping the
 * project on its tier after birth is PlanQuota's job. A plan `restore` with a new token restores the default branch
 * to a point in time (see restore.ts); the backups it leaves are listed in the outputs.
 *
 * A region/pgVersion/org change needs a new project (Neon cannot move one). Without the stack's
 * `neon-fleet:allowReplace`, `check` refuses it without failing anything: it keeps the old value and records
 * the refusal in `refusedChange`, so the change shows as an update that leaves the project untouched (a Check or
 * Diff error would abort the engine's whole run, every other tenant included). With the opt-in, `check` records
 * the old placement in `replacing` and the resource is replaced create-first: the create renames the old project
 * aside, and the old resource's delete then does what its `onRemove` says, like any removal. No step deletes a
 * project because of a replace.
 */

/** Inputs of a TenantProject, as the stack program derives them from the plans. */
export const tenantProjectInputsSchema = z.object({
  /** The tenant's stable key (plans); also the resource name. */
  tenantId: z.string().min(1),
  /** Deterministic Neon project name (prefix + tenant id), used to find the project after an ambiguous create. */
  projectName: z.string().min(1).max(MAX_PROJECT_NAME_LENGTH),
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
  /**
   * Set by `check`, never by the plans: why a region/pgVersion/org change of the plans was not applied (the stack
   * did not set `neon-fleet:allowReplace`). The refused property keeps its old value; the project is left as it is.
   */
  refusedChange: z.string().min(1).optional(),
  /**
   * Set by `check`, never by the plans: the placement of the project an allowed region/pgVersion/org change
   * replaces, so the create can tell that project (renamed aside) from a stranger with the same name (refused).
   */
  replacing: z.object({ region: z.string(), pgVersion: z.number(), org: z.string().optional() }).optional(),
  /** `history_retention_seconds` the project is born with; absent = Neon's plan default. PlanQuota owns it later. */
  historyRetentionSeconds: z.number().int().min(0).optional(),
  /** Point-in-time restore of the default branch; a new token is an update that restores, never a replace. */
  restore: restoreInputSchema.optional(),
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
 * `replacing` only for the create of a replacement. `refusedChange` appearing or going away is an update.
 */
const updateKeys = ["projectName", "onRemove", "residency", "refusedChange"] as const;

/**
 * `neon-fleet:allowReplace` of the current stack (set by configure). Only `check` reads it, and only to turn a
 * move into a replace; deletes never look at it, so the stored provider config that refresh and destroy run with
 * (the state's, not the current stack's) cannot make a stale permission delete anything.
 */
let allowReplace = false;

/**
 * Projects that a resource of this run created or adopted; a delete never removes them. `pulumi up --replace` and
 * a tainted resource replace create-first with no Diff: the create adopts the same project by its name, and the
 * old resource's delete then names that very project. This set can only stop a delete, never allow one.
 */
const heldThisRun = new Set<string>();

/** Hands the connection to the client layer and takes the stack's replace permission. */
async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  await configureFromStack(req);
  allowReplace = stackFlag(req, "neon-fleet:allowReplace", false);
}

/**
 * Validates the inputs offline and judges a move (region/pgVersion/org change of a recorded tenant): allowed, it
 * records the old placement in `replacing`; refused, it keeps the old values and says why in `refusedChange`.
 */
async function check(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult> {
  const checked = checkProperties(tenantProjectInputsSchema, news);
  if ((checked.failures?.length ?? 0) > 0 || typeof olds.region !== "string") return checked;
  const old = olds as TenantProjectInputs;
  const planned = news as TenantProjectInputs;
  // An org only counts when both plans name one: the project's actual org is an output check cannot see.
  const moves = changedKeys(old, planned, replaceKeys).filter(
    (key) => key !== "org" || (old.org !== undefined && planned.org !== undefined),
  );
  if (moves.length === 0) return checked;
  if (allowReplace) {
    return { inputs: { ...news, replacing: compact({ region: old.region, pgVersion: old.pgVersion, org: old.org }) } };
  }
  const changes = moves.map((property) => ({ property, from: old[property], to: planned[property] }));
  const refusal = new ReplaceRefusedError(planned.tenantId, changes);
  const kept = Object.fromEntries(moves.map((property) => [property, old[property]]));
  return { inputs: { ...news, ...kept, refusedChange: refusal.message } };
}

/**
 * Offline, and never throws (refresh diffs too, and a Diff error aborts the run): a move `check` allowed is a
 * create-first replace; a refused move, or one check could not see (drift Neon reports, an org the old plan did
 * not name), is an update that leaves the project as it is.
 */
async function diff(
  _id: string,
  olds: TenantProjectOutputs,
  news: TenantProjectInputs,
): Promise<pulumi.dynamic.DiffResult> {
  const moves = unappliedMoves(olds, news);
  const updates = changedKeys(olds, news, updateKeys);
  const replaces = news.replacing === undefined ? [] : moves;
  const leftAsIs = news.refusedChange !== undefined || moves.length > replaces.length;
  const restoring = restorePending(news.restore, olds.restoredToken);
  const changes = replaces.length + updates.length > 0 || leftAsIs || restoring;
  return { changes, replaces, deleteBeforeReplace: false };
}

/** Creates the tenant's project on its tier, or adopts the one named by `adopt` or by its deterministic name. */
async function create(inputs: TenantProjectInputs): Promise<pulumi.dynamic.CreateResult<TenantProjectOutputs>> {
  const news = tenantProjectInputsSchema.parse(inputs);
  const ctx: CallContext = { tenantId: news.tenantId };
  const existing = await projectToAdopt(news, ctx);
  if (existing && news.replacing !== undefined && placedAt(existing, news.replacing) && !placedAt(existing, news)) {
    await setAside(existing, ctx);
  } else if (existing) {
    const adopted = await adopt(existing, news, ctx);
    heldThisRun.add(adopted.id);
    return adopted;
  }
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
  heldThisRun.add(created.project.id);
  return { id: created.project.id, outs: outputs(news, created) };
}

/** The live project (gone = empty id), so refresh records drift and a project deleted outside is recreated. */
async function read(id: string, state?: TenantProjectOutputs): Promise<pulumi.dynamic.ReadResult<TenantProjectOutputs>> {
  const props = recorded(state, `tenant ${id}`);
  const project = await neon().getProject(id, { tenantId: props.tenantId });
  if (!project) return gone();
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
 * restore token is new; other updates only refresh the recorded inputs. A move is never applied here: it warns
 * and keeps the project's recorded region, version and org.
 */
async function update(id: string, olds: TenantProjectOutputs, news: TenantProjectInputs): Promise<pulumi.dynamic.UpdateResult<TenantProjectOutputs>> {
  const leftAsIs = news.refusedChange ?? unappliedMoveNote(olds, news);
  if (leftAsIs !== undefined) process.stderr.write(`warning: ${leftAsIs}\n`);
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
  const placement = { region: olds.region, pgVersion: olds.pgVersion, org: olds.org };
  const markers = { adopt: news.adopt, refusedChange: news.refusedChange, replacing: news.replacing };
  return { outs: compact({ ...olds, ...news, ...markers, ...placement, ...restored }) };
}

/**
 * Deletes the project for `onRemove: delete`, otherwise releases it (it stays in Neon). The same rule holds when the
 * resource is the old half of a replace; a project a resource of this run created or adopted is never deleted.
 */
async function remove(id: string, props: TenantProjectOutputs): Promise<void> {
  if (props.onRemove !== "delete") {
    process.stderr.write(`tenant ${props.tenantId}: project ${id} retained in Neon (onRemove: retain); it is no longer managed\n`);
    return;
  }
  if (heldThisRun.has(id)) {
    const why = "the tenant's new resource took it over in this run";
    process.stderr.write(`tenant ${props.tenantId}: project ${id} not deleted: ${why}\n`);
    return;
  }
  await neon().deleteProject(id, { tenantId: props.tenantId });
}

/** The region/pgVersion/org keys on which the recorded project differs from the plan (a plan without org: any org). */
function unappliedMoves(olds: TenantProjectOutputs, news: TenantProjectInputs): (typeof replaceKeys)[number][] {
  // Outputs record the org Neon reports for the project; only a plan-set org that differs asks for a move.
  return changedKeys(olds, news, replaceKeys).filter((key) => key !== "org" || news.org !== undefined);
}

/** Why an update leaves a move unapplied that `check` did not see (drift Neon reports, an org the old plan lacked). */
function unappliedMoveNote(olds: TenantProjectOutputs, news: TenantProjectInputs): string | undefined {
  const moves = unappliedMoves(olds, news);
  if (moves.length === 0) return undefined;
  const show = (value: unknown): string => JSON.stringify(value ?? null);
  const what = moves.map((key) => `${key} ${show(olds[key])} (plan: ${show(news[key])})`).join(", ");
  return `tenant ${news.tenantId}: project in Neon has ${what}; it is left as it is: make the plan match Neon`;
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

/** True when `project` has the placement: region, Postgres version and, when given, org. */
function placedAt(project: Project, placement: { region: string; pgVersion: number; org?: string }): boolean {
  const sameOrg = placement.org === undefined || !project.org_id || project.org_id === placement.org;
  return project.region_id === placement.region && project.pg_version === placement.pgVersion && sameOrg;
}

/**
 * Renames the project being replaced to `<id> (was <name>)` (unique, within Neon's 64 characters), so the new
 * project can take the deterministic name; the old resource's delete then retains or deletes it per `onRemove`.
 */
async function setAside(project: Project, ctx: CallContext): Promise<void> {
  // Set aside, no live resource holds it any more (it may have been created earlier in this process).
  heldThisRun.delete(project.id);
  const name = `${project.id} (was ${project.name})`.slice(0, MAX_PROJECT_NAME_LENGTH);
  await neon().updateProject(project.id, { name }, ctx);
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
  configure,
  check,
  diff,
  create,
  read,
  update,
  delete: remove,
};

const tenantProjectShim = providerShim(__filename);

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
