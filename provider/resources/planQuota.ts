import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { orWhenGone, type CallContext, type Endpoint } from "../neon";
import { neon } from "./neonAccess";
import { changedKeys, checkProperties, compact, gone, recorded, sameValue } from "./properties";
import { DynamicResource, providerShim, type ResourceArgs } from "./providerShim";
import {
  endpointMatches,
  endpointSettingsSchema,
  liveEndpointSettings,
  liveTierSettings,
  neonQuotaSchema,
  parseSettingsLine,
  settingsLine,
  tierSettingsMatch,
  type EndpointSettings,
  type NeonQuota,
  type TierSettings,
} from "./tierSettings";
import { configureFromStack, stackFlag } from "./stackConnection";

/**
 * PlanQuota: keeps one tenant's project on its tier: the project's `settings.quota` (always the full
 * object), its `default_endpoint_settings`, and every existing endpoint's autoscaling and suspend values
 * (default settings only reach computes created later). Never replaced; a re-tier is an update. Its create
 * is free when the project was born with (or was last seen with) the tier's settings. Refresh reads the
 * project from the run's listing and, unless `neon-fleet:refreshEndpoints` is false, lists its endpoints
 * (one GET per project: Neon has no account-wide endpoint listing) so an endpoint changed by hand shows
 * in the next diff.
 */

const tierSettingsSchema = z.object({
  quota: neonQuotaSchema,
  endpointSettings: endpointSettingsSchema,
  historyRetentionSeconds: z.number().int().min(0).optional(),
});

/** Inputs of a PlanQuota. */
export const planQuotaInputsSchema = z.object({
  /** The tenant whose project this keeps on tier (also the resource name). */
  tenantId: z.string().min(1),
  /** The tier's name, for readers of the preview. */
  tier: z.string().min(1),
  /** The tenant's project (TenantProject's output). */
  projectId: z.string().min(1),
  /** The tier's quota, every key present; 0 = unlimited. */
  quota: neonQuotaSchema,
  /** The tier's autoscaling limits and suspend timeout. */
  endpointSettings: endpointSettingsSchema,
  /** The tier's `history_retention_seconds` (how far back a restore reaches); absent = not managed. */
  historyRetentionSeconds: z.number().int().min(0).max(2_592_000).optional(),
  /**
   * The settings TenantProject saw on the project (born with or adopted with), as a settings line (or, in state
   * written by older versions, an object); compared offline, and never kept in the outputs.
   */
  observedSettings: z.union([z.string(), tierSettingsSchema]).optional(),
  /**
   * The tenant's placement as its TenantProject holds it. `branch` (a refused change from a branch tier to a project
   * tier) leaves everything alone: the project is the tenant's template project, shared with other tenants.
   */
  placement: z.enum(["project", "branch"]).optional(),
});

/** Inputs of a PlanQuota. */
export type PlanQuotaInputs = z.infer<typeof planQuotaInputsSchema>;
/**
 * Outputs of a PlanQuota: the tenant, tier and project, the settings the project has (as applied, or as refresh
 * read them) as one settings line (tierSettings.ts: a fifth of the two objects' size in every state file), and
 * `driftedEndpoints`: the endpoints refresh found off those settings (id -> live values), absent when none.
 * `observedSettings` is not kept: only create and a project change read it, from the inputs.
 */
export type PlanQuotaOutputs = Pick<PlanQuotaInputs, "tenantId" | "tier" | "projectId"> & {
  settings?: string;
  /** State written by older versions holds these instead of `settings`. */
  quota?: NeonQuota;
  endpointSettings?: EndpointSettings;
  historyRetentionSeconds?: number;
  driftedEndpoints?: Record<string, EndpointSettings>;
  /** `branch`: the tenant is a branch of a shared template project, whose settings this resource leaves alone. */
  placement?: "project" | "branch";
};

/**
 * Besides the settings (compared as a whole, see diff). `observedSettings` is absent: it only feeds create and a
 * project change, and must not make a re-tier. `driftedEndpoints` is never an input, so recorded drift always
 * differs from the plan: an update. A renamed tenant (`formerIds`) is an update that only records its new id.
 */
const updateKeys = ["projectId", "tier", "driftedEndpoints", "tenantId"] as const;

/** `neon-fleet:refreshEndpoints` of the current run (set by configure): false skips the endpoint read on refresh. */
let refreshEndpoints = true;

/** Hands the connection to the client layer and takes the stack's refresh cost setting. */
async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  await configureFromStack(req);
  refreshEndpoints = stackFlag(req, "neon-fleet:refreshEndpoints", true);
}

/**
 * Validates the inputs offline. The tier's settings are kept as one settings line (`settings`, see
 * tierSettings.ts): the objects the program passes would be most of the resource's size in every state file.
 * `observedSettings` is dropped once the PlanQuota is recorded on the same project: only create and a project
 * change read it, and state need not carry it on every later run.
 */
async function check(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult> {
  const checked = checkProperties(planQuotaInputsSchema, news, ["projectId", "observedSettings", "placement"]);
  if ((checked.failures?.length ?? 0) > 0) return checked;
  const { quota, endpointSettings, historyRetentionSeconds, observedSettings, ...rest } = news as PlanQuotaInputs;
  const retention = historyRetentionSeconds === undefined ? {} : { historyRetentionSeconds };
  const settings = settingsLine({ quota, endpointSettings, ...retention });
  const recorded = typeof olds.projectId === "string" && olds.projectId === news.projectId;
  const seen = recorded || observedSettings === undefined ? {} : { observedSettings };
  return { inputs: { ...rest, settings, ...seen } };
}

/** Inputs with their folded `settings` line (see check) opened back into the tier's objects. */
function settingsExpanded(inputs: PlanQuotaInputs & { settings?: unknown }): PlanQuotaInputs {
  const { settings, ...rest } = inputs;
  const parsed = typeof settings === "string" ? parseSettingsLine(settings) : undefined;
  return parsed === undefined ? rest : { ...rest, ...parsed };
}

/** Offline: a changed tier, quota, endpoint settings or project, or drifted endpoints, is an update; nothing replaces a PlanQuota. */
async function diff(_id: string, olds: PlanQuotaOutputs, news: PlanQuotaInputs): Promise<pulumi.dynamic.DiffResult> {
  const retiered = !sameValue(recordedSettings(olds), desired(news));
  return { changes: retiered || changedKeys(olds, news, updateKeys).length > 0, replaces: [] };
}

/** Puts the project on its tier; no API call when TenantProject already saw these settings on it. */
async function create(inputs: PlanQuotaInputs): Promise<pulumi.dynamic.CreateResult<PlanQuotaOutputs>> {
  const news = planQuotaInputsSchema.parse(inputs);
  if (news.placement !== "branch" && !tierSettingsMatch(news.observedSettings, desired(news))) {
    await applyTier(news.projectId, desired(news), { project: true, endpoints: true }, { tenantId: news.tenantId });
  }
  return { id: news.tenantId, outs: outputs(news) };
}

/**
 * The project's live quota and default endpoint settings, and the endpoints off the recorded settings (unless
 * the stack turned the endpoint read off: then the recorded drift stays). A deleted project reads as gone.
 * The live values are returned as inputs too, so the next preview names what drifted.
 */
async function read(id: string, state?: PlanQuotaOutputs): Promise<pulumi.dynamic.ReadResult<PlanQuotaOutputs>> {
  const props = recorded(state, `quota of tenant ${id}`);
  if (props.placement === "branch") return { id, props };
  const ctx = { tenantId: props.tenantId };
  const project = await neon().getProject(props.projectId, ctx);
  if (!project) return gone();
  const live = liveTierSettings(project);
  const recordedTier = recordedSettings(props);
  let driftedEndpoints = props.driftedEndpoints;
  if (refreshEndpoints) {
    // Deleted since the run's listing.
    const endpoints = await orWhenGone(neon().listEndpoints(props.projectId, ctx), undefined);
    if (!endpoints) return gone();
    driftedEndpoints = offSettings(endpoints, recordedTier.endpointSettings ?? live.endpointSettings);
  }
  // Retention is read back only where the plan manages it; elsewhere the plan default would show as drift.
  const historyRetentionSeconds =
    recordedTier.historyRetentionSeconds === undefined ? undefined : live.historyRetentionSeconds;
  const { tenantId, tier, projectId } = props;
  const refreshed = compact({ tenantId, tier, projectId, ...live, historyRetentionSeconds, driftedEndpoints });
  const { quota: _q, endpointSettings: _e, historyRetentionSeconds: _r, ...rest } = refreshed;
  const liveLine = settingsLine(compact({ ...live, historyRetentionSeconds }));
  return { id, props: outputs(refreshed), inputs: { ...rest, settings: liveLine } };
}

/** Re-tiers the project: patches what differs from the recorded state (a new project: what it lacks). */
async function update(
  _id: string,
  olds: PlanQuotaOutputs,
  news: PlanQuotaInputs,
): Promise<pulumi.dynamic.UpdateResult<PlanQuotaOutputs>> {
  const want = desired(news);
  const ctx = { tenantId: news.tenantId };
  if (news.placement === "branch") return { outs: outputs(news) };
  if (olds.projectId !== news.projectId) {
    // The tenant got a new project (replaced, or recreated after it was deleted outside): like a create.
    if (!tierSettingsMatch(news.observedSettings, want)) {
      await applyTier(news.projectId, want, { project: true, endpoints: true }, ctx);
    }
  } else {
    const had = recordedSettings(olds);
    const project =
      !sameValue(had.quota, news.quota) ||
      !sameValue(had.endpointSettings, news.endpointSettings) ||
      (news.historyRetentionSeconds !== undefined && had.historyRetentionSeconds !== news.historyRetentionSeconds);
    const endpoints = !sameValue(had.endpointSettings, news.endpointSettings) || olds.driftedEndpoints !== undefined;
    if (project || endpoints) await applyTier(news.projectId, want, { project, endpoints }, ctx);
  }
  return { outs: outputs(news) };
}

/** Nothing to undo: the settings stay with the project, which TenantProject retains or deletes. */
async function remove(): Promise<void> {}

/** What state keeps of a PlanQuota with these settings (see PlanQuotaOutputs). */
function outputs(props: PlanQuotaInputs & { driftedEndpoints?: Record<string, EndpointSettings> }): PlanQuotaOutputs {
  const { tenantId, tier, projectId, driftedEndpoints, placement } = props;
  const branch = placement === "branch" ? { placement } : {};
  return compact({ tenantId, tier, projectId, settings: settingsLine(desired(props)), driftedEndpoints, ...branch });
}

/** The settings recorded in state: its settings line, or the objects state of older versions holds. */
function recordedSettings(olds: PlanQuotaOutputs): Partial<TierSettings> {
  const line = olds.settings === undefined ? undefined : parseSettingsLine(olds.settings);
  if (line) return line;
  const { quota, endpointSettings, historyRetentionSeconds } = olds;
  return compact({ quota, endpointSettings, historyRetentionSeconds });
}

function desired(news: PlanQuotaInputs): TierSettings {
  const { quota, endpointSettings, historyRetentionSeconds } = news;
  return { quota, endpointSettings, ...(historyRetentionSeconds === undefined ? {} : { historyRetentionSeconds }) };
}

/** The endpoints whose autoscaling or suspend values differ from `want`, by id; undefined when none do. */
function offSettings(endpoints: Endpoint[], want: EndpointSettings): Record<string, EndpointSettings> | undefined {
  const off = endpoints.filter((endpoint) => !endpointMatches(endpoint, want));
  return off.length === 0
    ? undefined
    : Object.fromEntries(off.map((endpoint) => [endpoint.id, liveEndpointSettings(endpoint)]));
}

/**
 * Sends the full quota object and the default endpoint settings, then brings every existing endpoint that
 * differs onto the tier, one at a time (Neon runs one operation per project at a time anyway).
 */
async function applyTier(
  projectId: string,
  want: TierSettings,
  parts: { project: boolean; endpoints: boolean },
  ctx: CallContext,
): Promise<void> {
  const client = neon();
  if (parts.project) {
    const retention = want.historyRetentionSeconds;
    const patch = {
      settings: { quota: want.quota },
      default_endpoint_settings: want.endpointSettings,
      ...(retention === undefined ? {} : { history_retention_seconds: retention }),
    };
    await client.updateProject(projectId, patch, ctx);
  }
  if (!parts.endpoints) return;
  for (const endpoint of await client.listEndpoints(projectId, ctx)) {
    if (endpointMatches(endpoint, want.endpointSettings)) continue;
    await client.updateEndpoint(projectId, endpoint.id, want.endpointSettings, ctx);
  }
}

/** The implementation the provider process loads (see providerShim). */
export const provider: pulumi.dynamic.ResourceProvider<PlanQuotaInputs, PlanQuotaOutputs> = {
  configure,
  check,
  diff: async (id, olds, news) => diff(id, olds, settingsExpanded(news)),
  create: async (inputs) => create(settingsExpanded(inputs)),
  read,
  update: async (id, olds, news) => update(id, olds, settingsExpanded(news)),
  delete: remove,
};

const planQuotaShim = providerShim(__filename);

/** Arguments of a {@link PlanQuota}: its inputs, each may be an Output. */
export type PlanQuotaArgs = ResourceArgs<PlanQuotaInputs>;

/** A tenant's tier settings on its project (`pulumi-nodejs:dynamic/neon:PlanQuota`, named by tenant id). */
export class PlanQuota extends DynamicResource {
  constructor(name: string, args: PlanQuotaArgs, opts?: pulumi.CustomResourceOptions) {
    super(planQuotaShim, name, { ...args }, opts, "neon", "PlanQuota");
  }
}
