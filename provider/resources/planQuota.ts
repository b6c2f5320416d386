import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { CallContext } from "../neon";
import { neon } from "./neonAccess";
import { changedKeys, checkProperties, compact, recorded, sameValue } from "./properties";
import { providerShim } from "./providerShim";
import { endpointMatches, endpointSettingsSchema, liveTierSettings, neonQuotaSchema, type TierSettings } from "./settings";
import { configureFromStack } from "./stackConnection";

/**
 * PlanQuota: keeps one tenant's project on its tier: the project's `settings.quota` (always the full
 * object), its `default_endpoint_settings`, and every existing endpoint's autoscaling and suspend values
 * (default settings only reach computes created later). Never replaced; a re-tier is an update. Its create
 * is free when the project was born with (or was last seen with) the tier's settings.
 */

const tierSettingsSchema = z.object({ quota: neonQuotaSchema, endpointSettings: endpointSettingsSchema });

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
  /** The settings TenantProject saw on the project (born with or adopted with); compared offline. */
  observedSettings: tierSettingsSchema.optional(),
});

/** Inputs of a PlanQuota. */
export type PlanQuotaInputs = z.infer<typeof planQuotaInputsSchema>;
/** Outputs of a PlanQuota: its inputs, with `quota`/`endpointSettings` replaced by live values on refresh. */
export type PlanQuotaOutputs = PlanQuotaInputs;

/** `observedSettings` is absent: it only feeds create and a project change, and must not make a re-tier. */
const updateKeys = ["projectId", "tier", "quota", "endpointSettings"] as const;

/** Validates the inputs offline. */
async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  return checkProperties(planQuotaInputsSchema, news);
}

/** Offline: a changed tier, quota, endpoint settings or project is an update; nothing replaces a PlanQuota. */
async function diff(_id: string, olds: PlanQuotaOutputs, news: PlanQuotaInputs): Promise<pulumi.dynamic.DiffResult> {
  return { changes: changedKeys(olds, news, updateKeys).length > 0, replaces: [] };
}

/** Puts the project on its tier; no API call when TenantProject already saw these settings on it. */
async function create(inputs: PlanQuotaInputs): Promise<pulumi.dynamic.CreateResult<PlanQuotaOutputs>> {
  const news = planQuotaInputsSchema.parse(inputs);
  if (!sameValue(news.observedSettings, desired(news))) {
    await applyTier(news.projectId, desired(news), { project: true, endpoints: true }, { tenantId: news.tenantId });
  }
  return { id: news.tenantId, outs: compact({ ...news }) };
}

/** The project's live quota and default endpoint settings; a deleted project reads as gone. */
async function read(id: string, state?: PlanQuotaOutputs): Promise<pulumi.dynamic.ReadResult<PlanQuotaOutputs>> {
  const props = recorded(state, `quota of tenant ${id}`);
  const project = await neon().getProject(props.projectId, { tenantId: props.tenantId });
  if (!project) return { id: "", props: {} as PlanQuotaOutputs };
  const live = liveTierSettings(project);
  return { id, props: compact({ ...props, ...live, observedSettings: live }) };
}

/** Re-tiers the project: patches what differs from the recorded state (a new project: what it lacks). */
async function update(_id: string, olds: PlanQuotaOutputs, news: PlanQuotaInputs): Promise<pulumi.dynamic.UpdateResult<PlanQuotaOutputs>> {
  const want = desired(news);
  const ctx = { tenantId: news.tenantId };
  if (olds.projectId !== news.projectId) {
    // The tenant got a new project (replaced, or recreated after it was deleted outside): like a create.
    if (!sameValue(news.observedSettings, want)) await applyTier(news.projectId, want, { project: true, endpoints: true }, ctx);
  } else {
    const project = !sameValue(olds.quota, news.quota) || !sameValue(olds.endpointSettings, news.endpointSettings);
    const endpoints = !sameValue(olds.endpointSettings, news.endpointSettings);
    if (project) await applyTier(news.projectId, want, { project, endpoints }, ctx);
  }
  return { outs: compact({ ...news }) };
}

/** Nothing to undo: the settings stay with the project, which TenantProject retains or deletes. */
async function remove(): Promise<void> {}

function desired(news: PlanQuotaInputs): TierSettings {
  return { quota: news.quota, endpointSettings: news.endpointSettings };
}

/**
 * Sends the full quota object and the default endpoint settings, then brings every existing endpoint that
 * differs onto the tier, one at a time (Neon runs one operation per project at a time anyway).
 */
async function applyTier(projectId: string, want: TierSettings, parts: { project: boolean; endpoints: boolean }, ctx: CallContext): Promise<void> {
  const client = neon();
  if (parts.project) {
    await client.updateProject(projectId, { settings: { quota: want.quota }, default_endpoint_settings: want.endpointSettings }, ctx);
  }
  if (!parts.endpoints) return;
  for (const endpoint of await client.listEndpoints(projectId, ctx)) {
    if (endpointMatches(endpoint, want.endpointSettings)) continue;
    await client.updateEndpoint(projectId, endpoint.id, want.endpointSettings, ctx);
  }
}

/** The implementation the provider process loads (see providerShim). */
export const provider: pulumi.dynamic.ResourceProvider<PlanQuotaInputs, PlanQuotaOutputs> = {
  configure: configureFromStack,
  check,
  diff,
  create,
  read,
  update,
  delete: remove,
};

const planQuotaShim = providerShim("dist/provider/resources/planQuota.js");

/** Arguments of a {@link PlanQuota}: its inputs, each may be an Output. */
export type PlanQuotaArgs = { [K in keyof PlanQuotaInputs]: pulumi.Input<PlanQuotaInputs[K]> };

/** A tenant's tier settings on its project (`pulumi-nodejs:dynamic/neon:PlanQuota`, named by tenant id). */
export class PlanQuota extends pulumi.dynamic.Resource {
  constructor(name: string, args: PlanQuotaArgs, opts?: pulumi.CustomResourceOptions) {
    super(planQuotaShim, name, { ...args }, opts, "neon", "PlanQuota");
  }
}
