import type { Branch } from "@neondatabase/api-client";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AdoptionError } from "../errors";
import { orWhenGone, type AnnotatedBranches, type CallContext } from "../neon";
import { MAX_BRANCH_TTL_SECONDS } from "../neon/limits";
import { neon } from "./neonAccess";
import { devBranchStillPlanned } from "./plannedFleet";
import { changedKeys, checkProperties, compact, gone, recorded } from "./properties";
import { DynamicResource, providerShim, type ResourceArgs } from "./providerShim";
import { configureFromStack } from "./stackConnection";

/**
 * DevBranch: an ephemeral branch of the dev project with its own read-write endpoint. It expires `ttl`
 * after creation (Neon deletes it then); a changed `resetToken` restores it from its parent in place (same
 * branch id); a branch Neon already deleted is recreated by an update and reads as gone on refresh.
 *
 * Every branch it creates carries Neon's branch annotation `managed-by: neon-fleet`, which every branch listing
 * returns. A create that finds a branch of its name already there (a lost state, an ambiguous create) takes it
 * over only when it carries that annotation, or when dev.yaml says `adopt: true` for it: taking a branch over gives
 * it an expiry, and Neon deletes it then, so a hand-made branch that happens to share the name is refused instead.
 */

/** Inputs of a DevBranch. */
export const devBranchInputsSchema = z.object({
  /** The dev project (its TenantProject's output). */
  projectId: z.string().min(1),
  /** Branch name in the dev project (also the resource name); changing it replaces the branch. */
  name: z.string().min(1).max(256),
  /** Name of the branch it starts from and resets to; changing it replaces the branch. */
  parent: z.string().min(1),
  /** Lifetime from creation; becomes `expires_at`. */
  ttlSeconds: z.number().int().positive().max(MAX_BRANCH_TTL_SECONDS),
  /** Changing it resets the branch to its parent's latest state. */
  resetToken: z.string().optional(),
  /** dev.yaml `adopt: true`: create may take over a same-named branch neon-fleet did not create; read at create. */
  adopt: z.boolean().optional(),
});

/** Inputs of a DevBranch. */
export type DevBranchInputs = z.infer<typeof devBranchInputsSchema>;
/** Outputs of a DevBranch. */
export type DevBranchOutputs = DevBranchInputs & {
  branchId: string;
  host: string;
  /** Secret. */
  connectionUri: string;
  expiresAt: string;
};

/** The annotation every branch this resource creates carries: how a later create recognises it as neon-fleet's. */
export const CREATED_BY_NEON_FLEET = { "managed-by": "neon-fleet" } as const;

/** Another project, name or parent is another branch; deleted first since the new one may reuse the name. */
const replaceKeys = ["projectId", "name", "parent"] as const;
const updateKeys = ["ttlSeconds", "resetToken"] as const;

/**
 * Branches the program of this run registered (their `check` ran in this process). A delete of one of them is the
 * old half of a replace (a new parent); a delete of another branch dev.yaml still lists means the dev project left
 * this stack (a shard change, `pulumi destroy`), so the branch is left to the stack that now manages it.
 */
const registeredThisRun = new Set<string>();

/** Validates the inputs offline. */
async function check(
  _olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult> {
  if (typeof news.name === "string") registeredThisRun.add(news.name);
  return checkProperties(devBranchInputsSchema, news, ["projectId"]);
}

/** Offline: name/parent/project replace the branch; ttl and resetToken update it. */
async function diff(_id: string, olds: DevBranchOutputs, news: DevBranchInputs): Promise<pulumi.dynamic.DiffResult> {
  const replaces = changedKeys(olds, news, replaceKeys);
  const updates = changedKeys(olds, news, updateKeys);
  return { changes: replaces.length + updates.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 };
}

/** Creates the branch from its parent with a read-write endpoint, or takes over a branch already so named. */
async function create(inputs: DevBranchInputs): Promise<pulumi.dynamic.CreateResult<DevBranchOutputs>> {
  const news = devBranchInputsSchema.parse(inputs);
  const outs = await createOrAdopt(news);
  return { id: outs.branchId, outs };
}

/** The live branch; a branch (or project) Neon no longer has reads as gone. */
async function read(id: string, state?: DevBranchOutputs): Promise<pulumi.dynamic.ReadResult<DevBranchOutputs>> {
  const props = recorded(state, `dev branch ${id}`);
  const branch = (await branchesOf(props.projectId, ctxOf(props))).find((b) => b.id === props.branchId);
  if (!branch) return gone();
  return { id, props: compact({ ...props, name: branch.name, expiresAt: branch.expires_at ?? props.expiresAt }) };
}

/** Resets from the parent on a new resetToken, moves the expiry on a new ttl; recreates a branch Neon deleted. */
async function update(
  _id: string,
  olds: DevBranchOutputs,
  news: DevBranchInputs,
): Promise<pulumi.dynamic.UpdateResult<DevBranchOutputs>> {
  const ctx = ctxOf(news);
  const branches = await branchesOf(news.projectId, ctx);
  const current = branches.find((b) => b.id === olds.branchId);
  // Expired and deleted by Neon: a fresh branch from the parent is what a reset would have produced anyway.
  if (!current) return { outs: await createOrAdopt(news) };
  const client = neon();
  let expiresAt = olds.expiresAt;
  if (olds.resetToken !== news.resetToken) {
    await client.restoreBranch(news.projectId, current.id, parentOf(news, branches).id, ctx);
  }
  if (olds.ttlSeconds !== news.ttlSeconds) {
    expiresAt = expiryFrom(news.ttlSeconds);
    await client.updateBranch(news.projectId, current.id, { expiresAt }, ctx);
  }
  return { outs: compact({ ...olds, ...news, resetToken: news.resetToken, expiresAt }) };
}

/**
 * Deletes the branch (a branch or project already gone is fine), unless dev.yaml still lists it and this run did not
 * register it: then it moves to another stack with the dev project and is released as it is.
 */
async function remove(_id: string, props: DevBranchOutputs): Promise<void> {
  if (!registeredThisRun.has(props.name) && (await devBranchStillPlanned(props.name))) {
    const why = "dev.yaml still lists it and the dev project moves to another stack, which takes it over by name";
    process.stderr.write(`dev branch ${props.name}: released, not deleted: ${why}\n`);
    return;
  }
  await neon().deleteBranch(props.projectId, props.branchId, ctxOf(props));
}

async function createOrAdopt(news: DevBranchInputs): Promise<DevBranchOutputs> {
  const ctx = ctxOf(news);
  const client = neon();
  const none: AnnotatedBranches = { branches: [], annotations: {} };
  const { branches, annotations } = await orWhenGone(client.listBranchesAnnotated(news.projectId, ctx), none);
  const expiresAt = expiryFrom(news.ttlSeconds);
  const existing = branches.find((b) => b.name === news.name);
  if (existing) {
    if (!createdByNeonFleet(annotations[existing.id]) && news.adopt !== true) {
      throw new AdoptionError(
        `dev branch ${news.name}`,
        `a branch of that name (${existing.id}) already exists in dev project ${news.projectId} and neon-fleet did ` +
          "not create it; taking it over would set an expiry and Neon would then delete it: rename the branch in " +
          "dev.yaml, or add `adopt: true` to it there to take the existing branch over",
      );
    }
    // Left by an earlier run whose state was lost, by an ambiguous create, or adopted: take it over, restart its TTL.
    await client.updateBranch(news.projectId, existing.id, { expiresAt }, ctx);
    const connectionUri = await client.connectionUri(news.projectId, { branchId: existing.id, pooled: false }, ctx);
    return compact({ ...news, branchId: existing.id, host: new URL(connectionUri).hostname, connectionUri, expiresAt });
  }
  const parentId = parentOf(news, branches).id;
  const spec = { name: news.name, parentId, expiresAt, annotations: { ...CREATED_BY_NEON_FLEET } };
  const created = await client.createBranch(news.projectId, spec, ctx);
  return compact({
    ...news,
    branchId: created.branch.id,
    host: created.host,
    connectionUri: created.connectionUri,
    expiresAt,
  });
}

/** True when a branch's annotation says neon-fleet created it. */
function createdByNeonFleet(annotation: Record<string, string> | undefined): boolean {
  return Object.entries(CREATED_BY_NEON_FLEET).every(([key, value]) => annotation?.[key] === value);
}

function parentOf(news: DevBranchInputs, branches: Branch[]): Branch {
  const parent = branches.find((b) => b.name === news.parent);
  if (!parent) {
    throw new AdoptionError(
      `dev branch ${news.name}`,
      `parent branch ${news.parent} does not exist in dev project ${news.projectId}; fix parent in dev.yaml (existing: ${branches.map((b) => b.name).join(", ")})`,
    );
  }
  return parent;
}

/** The project's branches; none when the project itself is gone (404). */
async function branchesOf(projectId: string, ctx: CallContext): Promise<Branch[]> {
  return orWhenGone(neon().listBranches(projectId, ctx), []);
}

/** `expires_at` for a TTL from now, at whole seconds (RFC 3339 as Neon writes it). */
function expiryFrom(ttlSeconds: number): string {
  return new Date(Date.now() + ttlSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function ctxOf(props: { name: string }): CallContext {
  return { tenantId: `dev/${props.name}` };
}

/** The implementation the provider process loads (see providerShim). */
export const provider: pulumi.dynamic.ResourceProvider<DevBranchInputs, DevBranchOutputs> = {
  configure: configureFromStack,
  check,
  diff,
  create,
  read,
  update,
  delete: remove,
};

const devBranchShim = providerShim(__filename);

/** Arguments of a {@link DevBranch}: its inputs, each may be an Output. */
export type DevBranchArgs = ResourceArgs<DevBranchInputs>;

/** A branch of the dev project (`pulumi-nodejs:dynamic/neon:DevBranch`, named by branch name). */
export class DevBranch extends DynamicResource {
  /** The Neon branch id; kept across resets. */
  declare readonly branchId: pulumi.Output<string>;
  /** Host of the branch's read-write endpoint. */
  declare readonly host: pulumi.Output<string>;
  /** Connection string of the branch's default database (secret). */
  declare readonly connectionUri: pulumi.Output<string>;
  /** When Neon deletes the branch (RFC 3339). */
  declare readonly expiresAt: pulumi.Output<string>;

  constructor(name: string, args: DevBranchArgs, opts?: pulumi.CustomResourceOptions) {
    const outputsToCome = { branchId: undefined, host: undefined, connectionUri: undefined, expiresAt: undefined };
    super(
      devBranchShim,
      name,
      { ...outputsToCome, ...args },
      { ...opts, additionalSecretOutputs: ["connectionUri"] },
      "neon",
      "DevBranch",
    );
  }
}
