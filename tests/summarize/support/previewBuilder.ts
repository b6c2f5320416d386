/**
 * Builds `pulumi preview --json` documents the way the Pulumi CLI writes them for this stack: a TenantProject
 * and a PlanQuota per tenant, `__provider` in every dynamic resource's inputs, `[secret]` for connection
 * strings, the unknown sentinel for outputs of resources not created yet, a replace as its three steps. Like the
 * real CLI for dynamic resources (their provider reports no detailed diff), `diffReasons` are empty and
 * `detailedDiff` null; only `replaceReasons` are filled.
 */
import { parseDuration, parseSize } from "../../../provider/plans/units";

const STACK_URN = "urn:pulumi:us::neon-fleet::pulumi:pulumi:Stack::neon-fleet-us";
const PROVIDER =
  "urn:pulumi:us::neon-fleet::pulumi:providers:pulumi-nodejs::default::9d2b4a1e-0c4f-4a61-8f0e-3c5b7e2d1a90";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SERIALIZED_PROVIDER =
  'exports.handler = __f0;\n\nfunction __f0() {\n  return require("/app/dist/provider/resources/tenantProject.js").provider;\n}\n';
const TYPE = {
  tenantProject: "pulumi-nodejs:dynamic/neon:TenantProject",
  planQuota: "pulumi-nodejs:dynamic/neon:PlanQuota",
  devBranch: "pulumi-nodejs:dynamic/neon:DevBranch",
  removalBrake: "pulumi-nodejs:dynamic/neon:RemovalBrake",
};

/** A tier in plan units, as tiers.yaml writes it. */
export interface TierSpec {
  name: string;
  min: number;
  max: number;
  suspendAfter: string;
  computeTime: string;
  activeTime: string;
  storage: string;
  dataTransfer: string;
  writtenData: string;
}

/** The seed tiers of `plans/tiers.yaml` (README "Plans"). */
export const TIERS: Record<"free" | "pro" | "enterprise", TierSpec> = {
  free: {
    name: "free",
    min: 0.25,
    max: 0.25,
    suspendAfter: "5m",
    computeTime: "100h",
    activeTime: "unlimited",
    storage: "512MiB",
    dataTransfer: "5GiB",
    writtenData: "1GiB",
  },
  pro: {
    name: "pro",
    min: 0.25,
    max: 2,
    suspendAfter: "10m",
    computeTime: "750h",
    activeTime: "unlimited",
    storage: "10GiB",
    dataTransfer: "50GiB",
    writtenData: "50GiB",
  },
  enterprise: {
    name: "enterprise",
    min: 1,
    max: 8,
    suspendAfter: "10m",
    computeTime: "unlimited",
    activeTime: "unlimited",
    storage: "100GiB",
    dataTransfer: "unlimited",
    writtenData: "unlimited",
  },
};

/** A tenant as the plans resolve it. */
export interface TenantSpec {
  id: string;
  tier: TierSpec;
  residency: string;
  region: string;
  onRemove?: "retain" | "delete";
}

type Json = Record<string, unknown>;

function tierInputs(tier: TierSpec): Json {
  return {
    quota: {
      active_time_seconds: parseDuration(tier.activeTime),
      compute_time_seconds: parseDuration(tier.computeTime),
      written_data_bytes: parseSize(tier.writtenData),
      data_transfer_bytes: parseSize(tier.dataTransfer),
      logical_size_bytes: parseSize(tier.storage),
    },
    endpointSettings: {
      autoscaling_limit_min_cu: tier.min,
      autoscaling_limit_max_cu: tier.max,
      suspend_timeout_seconds: tier.suspendAfter === "never" ? -1 : parseDuration(tier.suspendAfter),
    },
  };
}

function urn(type: string, name: string): string {
  return `urn:pulumi:us::neon-fleet::${type}::${name}`;
}

function projectId(tenantId: string): string {
  return `proj-${tenantId}`;
}

function projectInputs(t: TenantSpec): Json {
  return {
    __provider: SERIALIZED_PROVIDER,
    onRemove: t.onRemove ?? "retain",
    pgVersion: 17,
    projectName: `tenant-${t.id}`,
    region: t.region,
    residency: t.residency,
    tenantId: t.id,
    tier: t.tier.name,
    ...tierInputs(t.tier),
  };
}

function projectOutputs(inputs: Json, id: string | undefined): Json {
  return {
    ...inputs,
    connectionUri: "[secret]",
    defaultBranchId: id ? `br-${id}` : UNKNOWN,
    host: id ? `ep-${id}.aws.neon.tech` : UNKNOWN,
    pooledConnectionUri: "[secret]",
    projectId: id ?? UNKNOWN,
    regionId: id ? inputs.region : UNKNOWN,
  };
}

function quotaInputs(t: TenantSpec, id: string): Json {
  return { __provider: SERIALIZED_PROVIDER, projectId: id, tenantId: t.id, tier: t.tier.name, ...tierInputs(t.tier) };
}

function state(type: string, name: string, inputs: Json, outputs: Json, id?: string): Json {
  return {
    urn: urn(type, name),
    custom: true,
    ...(id ? { id } : {}),
    type,
    inputs,
    outputs,
    parent: STACK_URN,
    provider: PROVIDER,
  };
}

/** Accumulates the steps of one preview; each method adds what the CLI would print for one tenant change. */
export class PreviewBuilder {
  private readonly steps: Json[] = [];
  private readonly diagnostics: Json[] = [];

  constructor() {
    const stack = { urn: STACK_URN, custom: false, type: "pulumi:pulumi:Stack" };
    this.steps.push({ op: "same", urn: STACK_URN, oldState: stack, newState: stack, detailedDiff: null });
  }

  /** An unchanged tenant, as `--show-sames` prints it. */
  same(t: TenantSpec): this {
    const id = projectId(t.id);
    const project = state(TYPE.tenantProject, t.id, projectInputs(t), projectOutputs(projectInputs(t), id), id);
    const quota = state(TYPE.planQuota, t.id, quotaInputs(t, id), quotaInputs(t, id), id);
    this.step("same", TYPE.tenantProject, t.id, { oldState: project, newState: project });
    return this.step("same", TYPE.planQuota, t.id, { oldState: quota, newState: quota });
  }

  /** A tier edit or re-tier: only the PlanQuota updates, the project itself stays (shown as same). */
  retier(before: TenantSpec, after: TierSpec): this {
    const id = projectId(before.id);
    const project = state(
      TYPE.tenantProject,
      before.id,
      projectInputs(before),
      projectOutputs(projectInputs(before), id),
      id,
    );
    this.step("same", TYPE.tenantProject, before.id, { oldState: project, newState: project });
    const old = quotaInputs(before, id);
    const next = quotaInputs({ ...before, tier: after }, id);
    return this.step("update", TYPE.planQuota, before.id, {
      oldState: state(TYPE.planQuota, before.id, old, old, id),
      newState: state(TYPE.planQuota, before.id, next, old, id),
      diffReasons: [],
    });
  }

  /** A new tenant: both resources created, their Neon ids unknown until `up`. */
  create(t: TenantSpec): this {
    const inputs = projectInputs(t);
    this.step("create", TYPE.tenantProject, t.id, {
      newState: state(TYPE.tenantProject, t.id, inputs, projectOutputs(inputs, undefined)),
    });
    const quota = quotaInputs(t, UNKNOWN);
    return this.step("create", TYPE.planQuota, t.id, { newState: state(TYPE.planQuota, t.id, quota, quota) });
  }

  /** A tenant removed from plans: both resources deleted; the old `onRemove` decides the project's fate. */
  remove(t: TenantSpec): this {
    const id = projectId(t.id);
    const quota = quotaInputs(t, id);
    this.step("delete", TYPE.planQuota, t.id, { oldState: state(TYPE.planQuota, t.id, quota, quota, id) });
    const inputs = projectInputs(t);
    return this.step("delete", TYPE.tenantProject, t.id, {
      oldState: state(TYPE.tenantProject, t.id, inputs, projectOutputs(inputs, id), id),
    });
  }

  /** A tenant moved to another region: the project is replaced (three steps) and its PlanQuota follows. */
  move(t: TenantSpec, residency: string, region: string): this {
    const id = projectId(t.id);
    const oldInputs = projectInputs(t);
    const newInputs = projectInputs({ ...t, residency, region });
    const oldState = state(TYPE.tenantProject, t.id, oldInputs, projectOutputs(oldInputs, id), id);
    const newState = state(TYPE.tenantProject, t.id, newInputs, projectOutputs(newInputs, undefined));
    const replace = { diffReasons: [], replaceReasons: ["region"] };
    this.step("create-replacement", TYPE.tenantProject, t.id, { oldState, newState, ...replace });
    this.step("replace", TYPE.tenantProject, t.id, { oldState, newState, ...replace });
    const quota = quotaInputs(t, id);
    this.step("update", TYPE.planQuota, t.id, {
      oldState: state(TYPE.planQuota, t.id, quota, quota, id),
      newState: state(TYPE.planQuota, t.id, { ...quota, projectId: UNKNOWN }, quota, id),
      diffReasons: [],
    });
    return this.step("delete-replaced", TYPE.tenantProject, t.id, {
      oldState: { ...oldState, delete: true },
      replaceReasons: ["region"],
    });
  }

  /**
   * A move the stack did not allow: the provider's check kept the old region and recorded `refusedChange`, so
   * the TenantProject shows as an update (the residency change still applies) with the refusal in its inputs.
   */
  refusedMove(t: TenantSpec, residency: string, refusal: string): this {
    const id = projectId(t.id);
    const oldInputs = projectInputs(t);
    const newInputs = { ...projectInputs({ ...t, residency }), refusedChange: refusal };
    return this.step("update", TYPE.tenantProject, t.id, {
      oldState: state(TYPE.tenantProject, t.id, oldInputs, projectOutputs(oldInputs, id), id),
      newState: state(TYPE.tenantProject, t.id, newInputs, projectOutputs(oldInputs, id), id),
      diffReasons: [],
    });
  }

  /**
   * The stack's RemovalBrake recording a new tenant digest; `moving` are the tenants its check found leaving for
   * other stacks (still in the plans), with the region they go to; `moves` counts them all.
   */
  brake(moving: { tenantId: string; region: string }[], moves = moving.length): this {
    const oldInputs = { __provider: SERIALIZED_PROVIDER, tenants: 10, digest: "AAEC" };
    const newInputs = { ...oldInputs, tenants: 10 - moves, digest: "AAE=", moving, moves };
    const outputs = { tenants: 10, fingerprint: "0123456789abcdef" };
    return this.step("update", TYPE.removalBrake, "removal-brake", {
      oldState: state(TYPE.removalBrake, "removal-brake", oldInputs, outputs, "removal-brake"),
      newState: state(TYPE.removalBrake, "removal-brake", newInputs, outputs, "removal-brake"),
      diffReasons: [],
    });
  }

  /** The brake's Check refusing a mass removal, as the CLI reports a Check failure (the preview has no other step). */
  brakeRefusal(reason: string): this {
    const message = `error: neon:RemovalBrake resource 'removal-brake': property tenants value {10} has a problem: ${reason}\n`;
    this.diagnostics.push({ urn: urn(TYPE.removalBrake, "removal-brake"), message, severity: "error" });
    return this;
  }

  /** A new dev branch. */
  createBranch(name: string, parent: string, ttl: string): this {
    const inputs = {
      __provider: SERIALIZED_PROVIDER,
      name,
      parent,
      projectId: "proj-fleet-dev",
      ttlSeconds: parseDuration(ttl),
    };
    const outputs = { ...inputs, branchId: UNKNOWN, connectionUri: "[secret]", expiresAt: UNKNOWN, host: UNKNOWN };
    return this.step("create", TYPE.devBranch, name, { newState: state(TYPE.devBranch, name, inputs, outputs) });
  }

  /** A diagnostic as the CLI writes it: the prefix folded into the message. */
  diagnostic(severity: "error" | "warning" | "info", message: string, tenantId?: string): this {
    this.diagnostics.push({
      ...(tenantId ? { urn: urn(TYPE.tenantProject, tenantId) } : {}),
      message: `${severity}: ${message}\n`,
      severity,
    });
    return this;
  }

  /** The document, with the engine's change summary (a replace counted once). */
  document(): Json {
    const changeSummary: Record<string, number> = {};
    for (const s of this.steps) {
      const op = s.op as string;
      if (op === "create-replacement" || op === "delete-replaced") continue;
      changeSummary[op] = (changeSummary[op] ?? 0) + 1;
    }
    return {
      config: { "neon-fleet:apiKey": "[secret]", "neon-fleet:plans": "plans" },
      steps: this.steps,
      ...(this.diagnostics.length ? { diagnostics: this.diagnostics } : {}),
      duration: 3_500_000_000,
      changeSummary,
    };
  }

  /** The document as the CLI prints it. */
  json(): string {
    return JSON.stringify(this.document(), null, 4);
  }

  private step(op: string, type: string, name: string, rest: Json): this {
    this.steps.push({ op, urn: urn(type, name), provider: PROVIDER, ...rest, detailedDiff: rest.detailedDiff ?? null });
    return this;
  }
}

/** `count` tenants named `prefix-0001`.. in one tier and region. */
export function tenants(
  prefix: string,
  count: number,
  tier: TierSpec,
  residency = "us",
  region = "aws-us-east-2",
): TenantSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${String(i + 1).padStart(4, "0")}`,
    tier,
    residency,
    region,
  }));
}
