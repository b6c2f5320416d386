import type { Project } from "@neondatabase/api-client";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AdoptionError, FleetError, ReplaceRefusedError } from "../errors";
import { DEFAULT_BRANCHES_PER_PROJECT } from "../plans/schema";
import type { CallContext, CreatedProject } from "../neon";
import { MAX_PROJECT_NAME_LENGTH, TENANT_ID_PATTERN } from "../neon/limits";
import { neon } from "./neonAccess";
import { plannedNames, tenantStillPlanned } from "./plannedFleet";
import { projectNamed } from "./projectIndex";
import { applyRestore, restoreInputSchema, restorePending, type Backup } from "./restore";
import { changedKeys, checkProperties, compact, gone, recorded, sameValue } from "./properties";
import { DynamicResource, providerShim, type ResourceArgs } from "./providerShim";
import {
  endpointSettingsSchema,
  liveTierSettings,
  neonQuotaSchema,
  parseSettingsLine,
  settingsLine,
} from "./tierSettings";
import { configureFromStack, stackFlag } from "./stackConnection";
import { tierChanges } from "./tierChanges";
import { deleteTenantBranch, placeTenantBranch, retierTenantBranch, tenantBranchExists } from "./tenantBranch";
import { organizationMove, transferProject } from "./transfer";

/**
 * TenantProject: one tenant's Neon project. It is born with its tier's quota and endpoint settings (so a
 * new tenant costs one `POST /projects`, whose answer holds its endpoint and connection strings), adopts an existing project instead of creating a
 * duplicate, and on removal releases the project unless the tenant says `onRemove: delete`. Keeping the
 * project on its tier after birth is PlanQuota's job. A plan `restore` with a new token restores the default branch
 * to a point in time (see restore.ts); the backups it leaves are listed in the outputs.
 *
 * An org change transfers the project to the other organization in place, with every other project this stack's
 * plans move between the same two organizations (transfer.ts): same project id, data and connection strings.
 * A region/pgVersion change needs a new project
 * (Neon cannot move one there). Without the stack's
 * `neon-fleet:allowReplace`, `check` refuses it without failing anything: it keeps the old value and records
 * the refusal in `refusedChange`, so the change shows as an update that leaves the project untouched (a Check or
 * Diff error would abort the engine's whole run, every other tenant included); so does a tenant whose plan still says
 * `adopt:`, whatever the stack allows. With the opt-in, `check` records
 * the old placement in `replacing` and the resource is replaced create-first: the create renames the old project
 * aside, and the old resource's delete then does what its `onRemove` says, like any removal. No step deletes a
 * project because of a replace.
 *
 * With `placement: branch` (a branch tier) the tenant is not a project but a branch of a template project of its
 * tier and region (see tenantBranch.ts); the resource id is then the branch id and `projectId` the template
 * project's. Such a tenant keeps its template project for good, and a re-tier patches its endpoint (PlanQuota leaves
 * a shared template project alone). A change between placements, or of a branch tenant's region, would move the data
 * to another project: it is judged like any move.
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
  /**
   * Neon organization id (the tier's `org`, else `fleet.org`); a change transfers the project in place (same id,
   * data and connection strings), never replaces it. In outputs: the org Neon reports. Absent = left where it is.
   */
  org: z.string().min(1).optional(),
  /** Id of an existing project to take over at create. */
  adopt: z.string().min(1).optional(),
  /**
   * Set by the program during a preview only, for a tenant with `adopt`: the tier settings adopting the project
   * changes, before -> after in plan units (see stacks/adoptions.ts). Shown by the preview and the summary; no step
   * reads it, and it is never a change.
   */
  adoptionChanges: z.string().min(1).optional(),
  /** What removing the tenant from plans does to the project. */
  onRemove: z.enum(["retain", "delete"]),
  /** Quota the project is born with. */
  quota: neonQuotaSchema,
  /** Default endpoint settings the project is born with. */
  endpointSettings: endpointSettingsSchema,
  /**
   * Set by `check`, never by the plans: why a region/pgVersion change of the plans was not applied (the stack
   * did not set `neon-fleet:allowReplace`). The refused property keeps its old value; the project is left as it is.
   */
  refusedChange: z.string().min(1).optional(),
  /**
   * Set by `check`, never by the plans: the placement of the project an allowed region/pgVersion change
   * replaces, so the create can tell that project (renamed aside) from a stranger with the same name (refused).
   */
  replacing: z.object({ region: z.string(), pgVersion: z.number(), org: z.string().optional() }).optional(),
  /** `history_retention_seconds` the project is born with; absent = Neon's plan default. PlanQuota owns it later. */
  historyRetentionSeconds: z.number().int().min(0).optional(),
  /** Point-in-time restore of the default branch; a new token is an update that restores, never a replace. */
  restore: restoreInputSchema.optional(),
  /** `branch`: the tenant is a branch of a template project (absent = `project`); a change is a move. */
  placement: z.enum(["project", "branch"]).optional(),
  /** Branch placement: the template projects of the tenant's tier and region, filled in order; read at create only. */
  templates: z.array(z.string().min(1)).optional(),
  /** Branch placement: tenant branches per template project; read at create only. */
  branchesPerProject: z.number().int().min(1).optional(),
});

/** Inputs of a TenantProject. */
export type TenantProjectInputs = z.infer<typeof tenantProjectInputsSchema>;

/**
 * Outputs of a TenantProject: its inputs plus what Neon reports about the project. The birth settings (`quota`,
 * `endpointSettings`, `historyRetentionSeconds`) are left out: only create reads them, from the inputs, and
 * PlanQuota keeps them afterwards.
 */
export type TenantProjectOutputs = Omit<TenantProjectInputs, BirthSettingsKey> & {
  projectId: string;
  regionId: string;
  defaultBranchId: string;
  host: string;
  /** Secret. */
  connectionUri: string;
  /** Secret. */
  pooledConnectionUri: string;
  /**
   * The tier settings the project was created or adopted with, as a settings line (tierSettings.ts), for PlanQuota's
   * create (or its project change, which follows a create here). Only create records it; an update or refresh drops
   * it, so a PlanQuota created later applies its tier rather than trust settings seen long ago.
   */
  observedSettings?: string;
  /** True when create took over an existing project instead of creating one; absent when it created it. */
  adopted?: boolean;
  /** Token of the last restore applied (or recorded at create); the same token never restores again. */
  restoredToken?: string;
  /** The `<tenant>-before-<token>` branches holding the state before each restore, oldest first. */
  backups?: Backup[];
  /** Branch placement: the settings of the tenant's own endpoint (a project tenant's live in its PlanQuota). */
  endpointSettings?: TenantProjectInputs["endpointSettings"];
  /** Branch placement: the template project holding the tenant's branch, recorded at create and never changed. */
  templateProjectId?: string;
  /** Branch placement: the tenant's branch and its read-write endpoint. */
  branchId?: string;
  endpointId?: string;
};

/** Inputs only create reads: the settings the project is born with. */
type BirthSettingsKey = "quota" | "endpointSettings" | "historyRetentionSeconds";

/**
 * Properties whose change replaces the project (Neon cannot move a project's region or version). `org` is not one:
 * Neon transfers a project between organizations in place, so an org change is an update (see transfer.ts).
 */
const replaceKeys = ["region", "pgVersion"] as const;
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

/**
 * Project id -> the TenantProject that this process saw manage it (its Diff's old outputs, its read, create or adoption
 * in this run): a create refuses to adopt a project another resource of the stack holds. Only an extra net: the
 * engine starts a create as soon as that resource is registered, while resources the program registers later are
 * diffed later (step generation is serial, steps run in parallel), and a resource being removed is never diffed,
 * so this map can miss holders; `sharedProjectHolder` therefore judges first by what Neon itself says (the name).
 */
const managedBy = new Map<string, string>();

/**
 * Tenants the program of this run registered (their `check` ran in this process). A delete of one of them is the old
 * half of a replace; a delete of any other tenant still in the plans means it left this stack (a shard or bucket
 * change, a placement edit, `pulumi destroy`), so the project is released whatever `onRemove` says. `destroy` runs
 * no check at all.
 */
const registeredThisRun = new Set<string>();

/** Hands the connection to the client layer and takes the stack's replace permission. */
async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  await configureFromStack(req);
  allowReplace = stackFlag(req, "neon-fleet:allowReplace", false);
}

/**
 * Validates the inputs offline and judges a move (region/pgVersion change of a recorded tenant): allowed, it
 * records the old placement in `replacing`; refused, it keeps the old values and says why in `refusedChange`.
 * A tenant whose plan says `adopt:` is never replaced, even with `neon-fleet:allowReplace`: its replacement's create
 * would follow `adopt:` back to the very project being replaced (which the old resource's delete may then delete), so
 * the plan must first stop naming it. Refusing is clearer than a create that ignores part of its plan: the plan never
 * says `adopt: X` of a tenant that is not on project X.
 */
async function check(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult> {
  if (typeof news.tenantId === "string") registeredThisRun.add(news.tenantId);
  const checked = checkProperties(tenantProjectInputsSchema, news, ["templates"]);
  if ((checked.failures?.length ?? 0) > 0 || typeof olds.region !== "string") return checked;
  const old = olds as TenantProjectInputs;
  const planned = news as TenantProjectInputs;
  const placementMove =
    placementOf(old) !== placementOf(planned) || (planned.placement === "branch" && old.region !== planned.region);
  if (placementMove) return judgePlacementMove(old, planned, news);
  const moves = changedKeys(old, planned, replaceKeys);
  if (moves.length === 0) return checked;
  if (allowReplace && planned.adopt === undefined) {
    return { inputs: { ...news, replacing: compact({ region: old.region, pgVersion: old.pgVersion, org: old.org }) } };
  }
  const changes = moves.map((property) => ({ property, from: old[property], to: planned[property] }));
  const refusal = new ReplaceRefusedError(planned.tenantId, changes, planned.adopt, allowReplace);
  const kept = Object.fromEntries(moves.map((property) => [property, old[property]]));
  return { inputs: { ...news, ...kept, refusedChange: refusal.message } };
}

/**
 * A change between project and branch placement, or of a branch tenant's region: allowed, a create-first replace
 * (the new branch or project is created, the old one then retained or deleted per `onRemove`); refused, every
 * recorded input stays as it was and `refusedChange` names the tenant and both placements.
 */
function judgePlacementMove(
  old: TenantProjectInputs,
  planned: TenantProjectInputs,
  news: Record<string, unknown>,
): pulumi.dynamic.CheckResult {
  if (allowReplace && planned.adopt === undefined) {
    return { inputs: { ...news, replacing: compact({ region: old.region, pgVersion: old.pgVersion, org: old.org }) } };
  }
  const refusal = new ReplaceRefusedError(
    planned.tenantId,
    [{ property: "placement", from: placementLabel(old), to: placementLabel(planned) }],
    planned.adopt,
    allowReplace,
  );
  return { inputs: compact({ ...old, onRemove: planned.onRemove, refusedChange: refusal.message }) };
}

/** A tenant's placement; states written before branch placement existed have none: a project. */
function placementOf(inputs: Pick<TenantProjectInputs, "placement">): "project" | "branch" {
  return inputs.placement ?? "project";
}

/** How a refusal names a placement: `branch of a free template project in aws-us-east-2`. */
function placementLabel(inputs: TenantProjectInputs): string {
  return placementOf(inputs) === "branch"
    ? `branch of a ${inputs.tier} template project in ${inputs.region}`
    : `own project (tier ${inputs.tier}) in ${inputs.region}`;
}

/**
 * Offline, and never throws (refresh diffs too, and a Diff error aborts the run): a move `check` allowed is a
 * create-first replace; a refused move, or one check could not see (drift Neon reports), is an update that leaves
 * the project as it is. An org the plan changes is an update that transfers the project (planned here, offline).
 */
async function diff(
  id: string,
  olds: TenantProjectOutputs,
  news: TenantProjectInputs,
): Promise<pulumi.dynamic.DiffResult> {
  if (placementOf(olds) === "project" && id !== "") managedBy.set(id, news.tenantId);
  const placementMoved = placementOf(olds) !== placementOf(news) ? (["placement"] as const) : [];
  const moves = [...unappliedMoves(olds, news), ...placementMoved];
  // A branch tenant's tier lives on its own endpoint (PlanQuota leaves the shared template project alone).
  const retier = placementOf(olds) === "branch" ? changedKeys(olds, news, ["tier", "endpointSettings"]) : [];
  const updates = [...changedKeys(olds, news, updateKeys), ...retier];
  const replaces = news.replacing === undefined ? [] : moves;
  const leftAsIs = news.refusedChange !== undefined || moves.length > replaces.length;
  const restoring = restorePending(news.restore, olds.restoredToken);
  // Recorded offline (nothing is sent from diff): the pair's first update sends it with the others.
  const move = replaces.length === 0 ? organizationMove(id, olds, news) : undefined;
  const changes = replaces.length + updates.length > 0 || leftAsIs || restoring || move !== undefined;
  return { changes, replaces, deleteBeforeReplace: false };
}

/**
 * Creates the tenant's project on its tier, or adopts the one named by `adopt` or by its deterministic name. A project
 * found by name elsewhere than the plan says is the tenant's own from before a placement edit (often released by the
 * stack it left): without `neon-fleet:allowReplace` it is taken over where it is, with the move refused exactly as
 * a refused move in one stack; with it, it is set aside and a new project created.
 */
async function create(inputs: TenantProjectInputs): Promise<pulumi.dynamic.CreateResult<TenantProjectOutputs>> {
  const news = tenantProjectInputsSchema.parse(birthSettingsExpanded(inputs));
  const ctx: CallContext = { tenantId: news.tenantId };
  if (news.placement === "branch") return createBranchTenant(news, ctx);
  const existing = await projectToAdopt(news, ctx);
  if (existing) await refuseSharedProject(existing, news);
  const replacingIt = existing && news.replacing !== undefined && placedAt(existing, news.replacing);
  const movedByName = existing && news.adopt === undefined && !placedAt(existing, news);
  if (existing && !placedAt(existing, news) && (replacingIt || (movedByName && allowReplace))) {
    await setAside(existing, ctx);
  } else if (existing && movedByName) {
    const adopted = await adoptWithMoveRefused(existing, news, ctx);
    heldThisRun.add(adopted.id);
    return adopted;
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
  managedBy.set(created.project.id, news.tenantId);
  return { id: created.project.id, outs: outputs(news, created) };
}

/** The live project (gone = empty id), so refresh records drift and a project deleted outside is recreated. */
async function read(
  id: string,
  state?: TenantProjectOutputs,
): Promise<pulumi.dynamic.ReadResult<TenantProjectOutputs>> {
  const props = recorded(state, `tenant ${id}`);
  if (props.placement === "branch") {
    const live = await tenantBranchExists(props.templateProjectId ?? props.projectId, id, { tenantId: props.tenantId });
    return live ? { id, props } : gone();
  }
  const project = await neon().getProject(id, { tenantId: props.tenantId });
  if (!project) return gone();
  managedBy.set(id, props.tenantId);
  return {
    id,
    props: lean({
      ...props,
      projectName: project.name,
      region: project.region_id,
      regionId: project.region_id,
      pgVersion: project.pg_version,
      org: project.org_id ?? props.org,
      observedSettings: undefined,
    }),
  };
}

/**
 * Renames the project when its deterministic name changed, and restores the default branch when the plan's
 * restore token is new, and transfers it when its org changed; other updates only refresh the recorded inputs. A
 * region or version move is never applied here: it warns and keeps the project's recorded region and version.
 */
async function update(
  id: string,
  olds: TenantProjectOutputs,
  news: TenantProjectInputs,
): Promise<pulumi.dynamic.UpdateResult<TenantProjectOutputs>> {
  const leftAsIs = news.refusedChange ?? unappliedMoveNote(olds, news);
  if (leftAsIs !== undefined) process.stderr.write(`warning: ${leftAsIs}\n`);
  if (olds.placement === "branch") return updateBranchTenant(olds, news);
  // Restore first: a restore point outside the history window then fails the update before anything changed.
  const restored = restorePending(news.restore, olds.restoredToken)
    ? {
        restoredToken: news.restore.token,
        backups: await applyRestore(id, olds.defaultBranchId, news.tenantId, news.restore),
      }
    : {};
  const move = organizationMove(id, olds, news);
  if (move) await transferProject(move);
  if (olds.projectName !== news.projectName) {
    await neon().updateProject(id, { name: news.projectName }, { tenantId: news.tenantId });
  }
  const placement = { region: olds.region, pgVersion: olds.pgVersion, org: move?.destination ?? olds.org };
  const markers = { adopt: news.adopt, refusedChange: leftAsIs, replacing: news.replacing };
  const seenAtCreate = { observedSettings: undefined };
  return { outs: lean({ ...olds, ...news, ...markers, ...placement, ...restored, ...seenAtCreate }) };
}

/**
 * Deletes the project for `onRemove: delete`, otherwise releases it (it stays in Neon). The same rule holds when the
 * resource is the old half of a replace; a project a resource of this run created or adopted is never deleted, nor
 * one another resource of the stack still holds (states from before shared projects were refused), nor
 * one whose tenant is still in the plans but was not registered by this run (it moved to another stack, or the stack
 * is destroyed): the stack that manages it takes it over by name.
 */
async function remove(id: string, props: TenantProjectOutputs): Promise<void> {
  if (props.placement === "branch") return removeBranchTenant(id, props);
  if (props.onRemove !== "delete") {
    process.stderr.write(
      `tenant ${props.tenantId}: project ${id} retained in Neon (onRemove: retain); it is no longer managed\n`,
    );
    return;
  }
  if (heldThisRun.has(id)) {
    const why = "the tenant's new resource took it over in this run";
    process.stderr.write(`tenant ${props.tenantId}: project ${id} not deleted: ${why}\n`);
    return;
  }
  // Deletes run after the program registered everything, so every resource still holding the project was diffed.
  const holder = managedBy.get(id);
  if (holder !== undefined && holder !== props.tenantId) {
    const why = `${holderLabel(holder)} still uses it (two tenants shared it); it stays with that tenant`;
    process.stderr.write(`tenant ${props.tenantId}: project ${id} not deleted: ${why}\n`);
    return;
  }
  if (!registeredThisRun.has(props.tenantId) && (await tenantStillPlanned(props.tenantId))) {
    const why = "the tenant is still in the plans and moves to another stack, which takes it over by name";
    process.stderr.write(`tenant ${props.tenantId}: project ${id} released, not deleted: ${why}\n`);
    return;
  }
  await neon().deleteProject(id, { tenantId: props.tenantId });
}

/** The region/pgVersion keys on which the recorded project differs from the plan. */
function unappliedMoves(olds: TenantProjectOutputs, news: TenantProjectInputs): (typeof replaceKeys)[number][] {
  return changedKeys(olds, news, replaceKeys);
}

/** Why an update leaves a move unapplied that `check` did not see (drift Neon reports). */
function unappliedMoveNote(olds: TenantProjectOutputs, news: TenantProjectInputs): string | undefined {
  const moves = unappliedMoves(olds, news);
  if (moves.length === 0) return undefined;
  const show = (value: unknown): string => JSON.stringify(value ?? null);
  const shown = (props: Record<string, unknown>, key: string): string => show(props[key]);
  const what = moves.map((key) => `${key} ${shown(olds, key)} (plan: ${shown(news, key)})`).join(", ");
  return `tenant ${news.tenantId}: project in Neon has ${what}; it is left as it is: make the plan match Neon`;
}

/** The project named by `adopt`, or the one already carrying the deterministic name; undefined to create. */
async function projectToAdopt(news: TenantProjectInputs, ctx: CallContext): Promise<Project | undefined> {
  const subject = `tenant ${news.tenantId}`;
  if (news.adopt !== undefined) {
    const project = await neon().getProject(news.adopt, ctx);
    if (!project)
      throw new AdoptionError(
        subject,
        `adopt: project ${news.adopt} does not exist in Neon; fix the id or remove adopt from the tenant's plan`,
      );
    // Scoped like the by-name lookup: another organization's project is never taken over, not even by its id.
    if (news.org !== undefined && project.org_id !== undefined && project.org_id !== news.org) {
      throw new AdoptionError(
        subject,
        `adopt: project ${project.id} is in organization ${project.org_id}, not in the tenant's organization ` +
          `${news.org} (its tier's org, else fleet.org); neon-fleet adopts only within the tenant's organization: ` +
          `fix the adopt id, or transfer the project to ${news.org} in Neon first`,
      );
    }
    await refuseRenameByAdopt(project, news);
    return project;
  }
  return projectNamed(news.projectName, news.org, ctx);
}

/** What a template project's name holds after the fleet's prefix: `template-<tier>-<region>-<n>`. */
const TEMPLATE_NAME = /^template-.+-\d+$/;

/**
 * Refuses to adopt a project that belongs to someone else of the fleet: two tenants on one project share a database,
 * and removing one (`onRemove: delete`) deletes the other's. Judged by what Neon says, since the engine may run this
 * create before the holder's resource is even registered (see managedBy): every project neon-fleet creates or adopts
 * carries its holder's deterministic name (`<prefix><tenant id>`, kept by the update that renames drift back), the
 * dev project carries dev.yaml's name, template projects `<prefix>template-...`. A name of a tenant the plans no
 * longer hold is refused by refuseRenameByAdopt when `adopt:` names it. Then this process's own sightings
 * (managedBy).
 * @throws AdoptionError naming the tenant, the project, who holds it and the fix
 */
async function refuseSharedProject(project: Project, news: TenantProjectInputs): Promise<void> {
  const holder = await sharedProjectHolder(project, news);
  if (holder === undefined) return;
  const fix =
    news.adopt === undefined
      ? "give one of the two tenants another id"
      : "fix the adopt id in the tenant's plan, or remove adopt: to give the tenant a new project";
  throw new AdoptionError(
    `tenant ${news.tenantId}`,
    `project ${project.id} (${project.name}) is not adopted: ${holder}, and two tenants never share a project ` +
      `(deleting one would delete the other's database); ${fix}`,
  );
}

/** Who other than the tenant of `news` holds `project` (a phrase), or undefined when nobody of the fleet does. */
async function sharedProjectHolder(project: Project, news: TenantProjectInputs): Promise<string | undefined> {
  const seen = managedBy.get(project.id);
  if (seen !== undefined && seen !== news.tenantId) return `${holderLabel(seen)} of this stack manages it`;
  if (project.name === news.projectName) return undefined;
  const prefix = news.projectName.endsWith(news.tenantId) ? news.projectName.slice(0, -news.tenantId.length) : "";
  const rest = prefix !== "" && project.name.startsWith(prefix) ? project.name.slice(prefix.length) : undefined;
  const planned = await plannedNames().catch((err: unknown) => {
    const why = (err instanceof Error ? err.message : String(err)).split("\n")[0];
    throw new AdoptionError(`tenant ${news.tenantId}`, `nothing adopted: ${why}`);
  });
  if (rest !== undefined && planned.tenants.has(rest)) {
    return `it carries tenant ${rest}'s name, so that tenant holds it`;
  }
  if (planned.devProject === `dev/${project.name}`) return "it is the dev project of dev.yaml";
  if (rest !== undefined && TEMPLATE_NAME.test(rest)) {
    return "its name is a template project's, whose branches are tenants";
  }
  return undefined;
}

/** How a resource name reads in a message: `tenant acme`, `the dev project`, `template project template/...`. */
function holderLabel(tenantId: string): string {
  if (tenantId.startsWith("dev/")) return "the dev project";
  return tenantId.startsWith("template/") ? `template project ${tenantId}` : `tenant ${tenantId}`;
}

/**
 * Refuses `adopt:` of a project that carries the deterministic name of a tenant gone from the plans: that is a rename
 * written as adopt, and the old tenant's resource is deleted after this create (the engine deletes last), so with
 * `onRemove: delete` the adopted project would be deleted under the new tenant. Nothing offline can tell whether the
 * old tenant leaves in this very change (only the engine's state knows), so any such project is refused: a rename
 * goes through `formerIds`, and a project a removed tenant left behind is renamed in Neon before it is adopted.
 */
async function refuseRenameByAdopt(project: Project, news: TenantProjectInputs): Promise<void> {
  const prefix = news.projectName.slice(0, news.projectName.length - news.tenantId.length);
  const owner = project.name.startsWith(prefix) ? project.name.slice(prefix.length) : "";
  if (owner === news.tenantId || !TENANT_ID_PATTERN.test(owner) || (await tenantStillPlanned(owner))) return;
  throw new AdoptionError(
    `tenant ${news.tenantId}`,
    `adopt: project ${project.id} (${project.name}) is removed tenant ${owner}'s, which onRemove: delete would delete ` +
      `after the adoption; to rename ${owner}, write formerIds: [${owner}] instead of adopt (or rename the project in ` +
      "Neon first to take over what it left)",
  );
}

/** Takes over `project`: checks it matches the plan's placement, renames it, and reads its connection details. */
async function adopt(
  project: Project,
  news: TenantProjectInputs,
  ctx: CallContext,
): Promise<pulumi.dynamic.CreateResult<TenantProjectOutputs>> {
  const subject = `tenant ${news.tenantId}`;
  if (project.region_id !== news.region || project.pg_version !== news.pgVersion) {
    throw new AdoptionError(
      subject,
      `project ${project.id} (${project.name}) is in ${project.region_id} on Postgres ${project.pg_version}, but the plan says ` +
        `${news.region} on Postgres ${news.pgVersion}; ` +
        "set the tenant's region/pgVersion to the project's, or fix the adopt id",
    );
  }
  managedBy.set(project.id, news.tenantId);
  const changes = tierChanges(liveTierSettings(project), news);
  if (changes.length > 0) {
    // PlanQuota applies the tier right after: say what it cuts or raises on a project that was not ours.
    process.stderr.write(`tenant ${news.tenantId}: adopting project ${project.id} changes ${changes.join(", ")}\n`);
  }
  const client = neon();
  const renamed =
    project.name === news.projectName
      ? project
      : await client.updateProject(project.id, { name: news.projectName }, ctx);
  const branches = await client.listBranches(project.id, ctx);
  const defaultBranch = branches.find((b) => b.default) ?? branches[0];
  if (!defaultBranch)
    throw new AdoptionError(
      subject,
      `project ${project.id} has no branch to connect to; adopt a project with a default branch`,
    );
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

/**
 * Takes over the tenant's project where it is although the plan places it elsewhere (a placement edit that moved the
 * tenant into this stack): the move is refused like one inside a stack, recorded in `refusedChange`, and the next
 * runs keep refusing it until the plan is reverted or `neon-fleet:allowReplace` allows it.
 */
async function adoptWithMoveRefused(
  project: Project,
  news: TenantProjectInputs,
  ctx: CallContext,
): Promise<pulumi.dynamic.CreateResult<TenantProjectOutputs>> {
  const where = { region: project.region_id, pgVersion: project.pg_version as number };
  const changes = (["region", "pgVersion"] as const)
    .filter((key) => where[key] !== news[key])
    .map((property) => ({ property, from: where[property], to: news[property] }));
  const refusedChange = new ReplaceRefusedError(news.tenantId, changes).message;
  process.stderr.write(`warning: ${refusedChange}\n`);
  const adopted = await adopt(project, { ...news, ...where }, ctx);
  return { id: adopted.id, outs: { ...adopted.outs!, refusedChange } };
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

/** Creates (or takes over by name) the tenant's branch in the first of its template projects with room. */
async function createBranchTenant(
  news: TenantProjectInputs,
  ctx: CallContext,
): Promise<pulumi.dynamic.CreateResult<TenantProjectOutputs>> {
  if (!news.templates || news.templates.length === 0) {
    throw new FleetError(`tenant ${news.tenantId}: branch placement without template projects (a bug)`);
  }
  const placed = await placeTenantBranch(
    {
      tenantId: news.tenantId,
      templates: news.templates,
      branchesPerProject: news.branchesPerProject ?? DEFAULT_BRANCHES_PER_PROJECT,
      endpointSettings: news.endpointSettings,
    },
    ctx,
  );
  const outs: TenantProjectOutputs = lean({
    ...news,
    projectId: placed.templateProjectId,
    regionId: news.region,
    defaultBranchId: placed.branchId,
    host: placed.host,
    connectionUri: placed.connectionUri,
    pooledConnectionUri: placed.pooledConnectionUri,
    adopted: placed.adopted,
    restoredToken: news.restore?.token,
    templateProjectId: placed.templateProjectId,
    branchId: placed.branchId,
    endpointId: placed.endpointId,
  });
  return { id: placed.branchId, outs };
}

/** A re-tier within branch tiers patches the tenant's endpoint; the template project and branch stay. */
async function updateBranchTenant(
  olds: TenantProjectOutputs,
  news: TenantProjectInputs,
): Promise<pulumi.dynamic.UpdateResult<TenantProjectOutputs>> {
  const placed = { templateProjectId: olds.templateProjectId ?? olds.projectId, endpointId: olds.endpointId ?? "" };
  if (!sameValue(olds.endpointSettings, news.endpointSettings) && news.refusedChange === undefined) {
    await retierTenantBranch(placed, news.endpointSettings, { tenantId: news.tenantId });
  }
  const { region, pgVersion, placement } = olds;
  const kept = { region, pgVersion, placement, templateProjectId: placed.templateProjectId };
  const markers = { refusedChange: news.refusedChange, replacing: news.replacing };
  return { outs: lean({ ...olds, ...news, ...markers, ...kept }) };
}

/** Deletes the tenant's branch for `onRemove: delete`, otherwise releases it (it stays in its template project). */
async function removeBranchTenant(id: string, props: TenantProjectOutputs): Promise<void> {
  const templateProjectId = props.templateProjectId ?? props.projectId;
  if (props.onRemove !== "delete") {
    process.stderr.write(
      `tenant ${props.tenantId}: branch ${id} of template project ${templateProjectId} retained in Neon ` +
        "(onRemove: retain); it is no longer managed\n",
    );
    return;
  }
  await deleteTenantBranch({ templateProjectId, branchId: id }, { tenantId: props.tenantId });
}

function outputs(news: TenantProjectInputs, created: CreatedProject): TenantProjectOutputs {
  return lean({
    ...news,
    projectId: created.project.id,
    regionId: created.project.region_id,
    defaultBranchId: created.defaultBranchId,
    host: created.host,
    connectionUri: created.connectionUri,
    pooledConnectionUri: created.pooledConnectionUri,
    org: created.project.org_id ?? news.org,
    observedSettings: settingsLine(liveTierSettings(created.project)),
    adopted: created.adopted || undefined,
    // A new or adopted project is recorded as restored: its plan entry is history, not a request to roll back.
    restoredToken: news.restore?.token,
  });
}

/**
 * The checked inputs the engine stores: the birth settings (`quota`, `endpointSettings`, `historyRetentionSeconds`)
 * folded into one settings line, `birthSettings`, a fifth of their size in every state file. Only create reads them.
 */
function birthSettingsFolded(result: pulumi.dynamic.CheckResult): pulumi.dynamic.CheckResult {
  // A branch tenant's endpoint settings stay whole: its own resource keeps them on its endpoint (see diff).
  if ((result.failures?.length ?? 0) > 0 || !result.inputs || result.inputs.placement === "branch") return result;
  const { quota, endpointSettings, historyRetentionSeconds, ...rest } = result.inputs as TenantProjectInputs;
  const retention = historyRetentionSeconds === undefined ? {} : { historyRetentionSeconds };
  return { inputs: { ...rest, birthSettings: settingsLine({ quota, endpointSettings, ...retention }) } };
}

/** The inputs with a folded `birthSettings` line (see birthSettingsFolded) opened back into their properties. */
function birthSettingsExpanded(inputs: TenantProjectInputs & { birthSettings?: unknown }): TenantProjectInputs {
  const { birthSettings, ...rest } = inputs;
  const settings = typeof birthSettings === "string" ? parseSettingsLine(birthSettings) : undefined;
  return settings === undefined ? rest : { ...rest, ...settings };
}

/**
 * What state keeps of a TenantProject: no birth settings (see TenantProjectOutputs; state of older versions has
 * them, and an update or refresh drops them) and no unset keys.
 */
function lean(
  props: TenantProjectOutputs & Partial<Pick<TenantProjectInputs, BirthSettingsKey>> & { birthSettings?: string },
): TenantProjectOutputs {
  const { quota: _q, endpointSettings, historyRetentionSeconds: _r, birthSettings: _b, ...kept } = props;
  return compact(props.placement === "branch" ? { ...kept, endpointSettings } : kept);
}

/** The implementation the provider process loads (see providerShim). */
export const provider: pulumi.dynamic.ResourceProvider<TenantProjectInputs, TenantProjectOutputs> = {
  configure,
  check: async (olds, news) => birthSettingsFolded(await check(olds, news)),
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
export class TenantProject extends DynamicResource {
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
  /** The tier settings the project was created with (a settings line), for PlanQuota's offline comparison. */
  declare readonly observedSettings: pulumi.Output<string | undefined>;
  /** The `<tenant>-before-<token>` backup branches left by restores, oldest first. */
  declare readonly backups: pulumi.Output<Backup[] | undefined>;
  /** `branch` when the tenant is a branch of a template project (after any refused change); else project. */
  declare readonly placement: pulumi.Output<"project" | "branch" | undefined>;
  /** Branch placement: the template project holding the tenant's branch, for good. */
  declare readonly templateProjectId: pulumi.Output<string | undefined>;

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
      templateProjectId: undefined,
      branchId: undefined,
      endpointId: undefined,
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
