import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { MassRemovalError } from "../errors";
import { configurePlans, plannedNames } from "./plannedFleet";
import { checkProperties, compact } from "./properties";
import { DynamicResource, providerShim, type ResourceArgs } from "./providerShim";
import { stackFlag } from "./stackConnection";
import { decodeTenantDigest, tenantHash } from "./tenantDigest";

/**
 * RemovalBrake: one per stack, registered before every other resource, holding a digest of the tenant ids the stack
 * manages (tenantDigest.ts, about 3 bytes a tenant). The program cannot read the stack's state, but this resource's
 * `check` gets the digest of the last run as its old inputs: it counts the tenants that were here and are gone
 * from the plans, and fails when they are more than max(5, 10%) of the stack's tenants, unless the stack sets
 * `neon-fleet:allowMassRemoval: true`. A Check failure ends the engine's run before any step is applied, in
 * `preview` as in `up`: pkg/resource/deploy/step_generator.go GenerateSteps returns the Check error, and the main
 * loop of deployment_executor.go Execute cancels and returns at the first error of handleSingleEvent, taking no further
 * event; deletes only come from performPostSteps, after the program's last event (pulumi/pulumi#16133). The program
 * awaits this resource's registration before it registers anything else (stacks/fleetProgram.ts), so no other
 * resource even reaches the engine. tests/engine/conformance.test.ts checks the engine double does the same.
 *
 * A tenant that left this stack but is still in the plans (a residency or region edit, a `neon-fleet:shard` or
 * `bucket` change) is a move, not a removal: the delete keeps its project (plannedFleet.ts) and the stack now
 * managing it takes the project over by name. Moves are not counted, so a reshard needs no opt-in; `check` names
 * them in its inputs (`moving`, tenant and the region it goes to) so the preview and its summary show them as moves.
 * Telling them apart reads the plans (`neon-fleet:plans`), locally and only when something left the stack; when the
 * plans cannot be read every departure counts as a removal.
 *
 * The first run of a stack (or of a stack from before the brake) has no old digest: nothing to compare, it passes.
 */

/** Inputs of the RemovalBrake, as the program derives them from the tenants the stack manages. */
export const removalBrakeInputsSchema = z.object({
  /** How many tenants the stack manages. */
  tenants: z.number().int().min(0),
  /** tenantDigest.ts digest of their ids; a change is an update (the new baseline), never a replace. */
  digest: z.string(),
  /**
   * Set by `check`, never by the program: tenants that left this stack for another one in this run, with the region
   * the plans now place them in (at most {@link MAX_NAMED_MOVES}; `moves` counts them all).
   */
  moving: z.array(z.object({ tenantId: z.string(), region: z.string() })).optional(),
  /** Set by `check`: how many tenants left this stack for another one in this run. */
  moves: z.number().int().min(0).optional(),
});

/** Inputs of a RemovalBrake. */
export type RemovalBrakeInputs = z.infer<typeof removalBrakeInputsSchema>;

/** Outputs: the count, and a fingerprint of the digest for `diff` (the digest itself stays in the inputs only). */
export interface RemovalBrakeOutputs {
  tenants: number;
  fingerprint: string;
}

/** Tenants a run may remove from a stack without the opt-in: max(5, 10% of the stack's tenants). */
export function massRemovalLimit(tenants: number): number {
  return Math.max(5, Math.floor(tenants / 10));
}

/** Moves named in the preview at most (the rest are counted): keeps a reshard's state and preview small. */
export const MAX_NAMED_MOVES = 1_000;

/** The resource's id and name: one per stack. */
export const REMOVAL_BRAKE_NAME = "removal-brake";

/** `neon-fleet:allowMassRemoval` of the current stack, set by configure. */
let allowMassRemoval = false;

async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  configurePlans(req);
  allowMassRemoval = stackFlag(req, "neon-fleet:allowMassRemoval", false);
}

/** Offline: compares the old digest with the new one; fails the run on a mass removal, names the moves. */
async function check(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult> {
  const checked = checkProperties(removalBrakeInputsSchema, news);
  if ((checked.failures?.length ?? 0) > 0) return checked;
  const planned = news as RemovalBrakeInputs;
  const fresh = { ...news, moving: undefined, moves: undefined };
  const before = typeof olds.digest === "string" ? readDigest(olds.digest) : undefined;
  if (!before) return { inputs: compact(fresh) };
  const after = readDigest(planned.digest) ?? new Set<number>();
  const departed = new Set([...before].filter((hash) => !after.has(hash)));
  if (departed.size === 0) return { inputs: compact(fresh) };
  const moving = await movesAmong(departed);
  const removing = departed.size - moving.length;
  const limit = massRemovalLimit(before.size);
  if (removing > limit && !allowMassRemoval) {
    const refusal = new MassRemovalError(removing, before.size, limit, moving.length);
    return { inputs: news, failures: [{ property: "tenants", reason: refusal.message }] };
  }
  if (moving.length === 0) return { inputs: compact(fresh) };
  const named = moving.sort((a, b) => a.tenantId.localeCompare(b.tenantId)).slice(0, MAX_NAMED_MOVES);
  return { inputs: { ...fresh, moving: named, moves: moving.length } };
}

/** A new digest is a new baseline: an update, which only records it. */
async function diff(
  _id: string,
  olds: RemovalBrakeOutputs,
  news: RemovalBrakeInputs,
): Promise<pulumi.dynamic.DiffResult> {
  const changes = olds.fingerprint !== fingerprint(news.digest) || olds.tenants !== news.tenants;
  return { changes, replaces: [], deleteBeforeReplace: false };
}

async function create(inputs: RemovalBrakeInputs): Promise<pulumi.dynamic.CreateResult<RemovalBrakeOutputs>> {
  return { id: REMOVAL_BRAKE_NAME, outs: outputs(inputs) };
}

async function read(id: string, props?: RemovalBrakeOutputs): Promise<pulumi.dynamic.ReadResult<RemovalBrakeOutputs>> {
  return { id, props };
}

async function update(
  _id: string,
  _olds: RemovalBrakeOutputs,
  news: RemovalBrakeInputs,
): Promise<pulumi.dynamic.UpdateResult<RemovalBrakeOutputs>> {
  return { outs: outputs(news) };
}

/** Nothing in Neon: removing the brake (a destroyed stack) only forgets the digest. */
async function remove(): Promise<void> {}

function outputs(inputs: RemovalBrakeInputs): RemovalBrakeOutputs {
  return { tenants: inputs.tenants, fingerprint: fingerprint(inputs.digest) };
}

function fingerprint(digest: string): string {
  return createHash("sha256").update(digest).digest("hex").slice(0, 16);
}

/** The hashes of a digest, or undefined when the recorded text is not one (then there is nothing to compare). */
function readDigest(digest: string): Set<number> | undefined {
  try {
    return decodeTenantDigest(digest);
  } catch {
    return undefined;
  }
}

/** The departed tenants the plans still hold, with the region they go to; none when the plans cannot be read. */
async function movesAmong(departed: ReadonlySet<number>): Promise<{ tenantId: string; region: string }[]> {
  let regions: ReadonlyMap<string, string>;
  try {
    regions = (await plannedNames()).tenantRegions;
  } catch {
    return [];
  }
  const moving: { tenantId: string; region: string }[] = [];
  for (const [tenantId, region] of regions) if (departed.has(tenantHash(tenantId))) moving.push({ tenantId, region });
  return moving;
}

/** The implementation the provider process loads (see providerShim). */
export const provider: pulumi.dynamic.ResourceProvider<RemovalBrakeInputs, RemovalBrakeOutputs> = {
  configure,
  check,
  diff,
  create,
  read,
  update,
  delete: remove,
};

const removalBrakeShim = providerShim(__filename);

/** Arguments of a {@link RemovalBrake}. */
export type RemovalBrakeArgs = ResourceArgs<Pick<RemovalBrakeInputs, "tenants" | "digest">>;

/**
 * The stack's brake on mass removals (`pulumi-nodejs:dynamic/neon:RemovalBrake`, named `removal-brake`): register it
 * first and wait for its registration before registering anything else.
 */
export class RemovalBrake extends DynamicResource {
  /** How many tenants the stack managed after the last run. */
  declare readonly tenants: pulumi.Output<number>;

  constructor(args: RemovalBrakeArgs, opts?: pulumi.CustomResourceOptions) {
    super(removalBrakeShim, REMOVAL_BRAKE_NAME, { fingerprint: undefined, ...args }, opts, "neon", "RemovalBrake");
  }
}
