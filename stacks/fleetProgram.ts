import * as pulumi from "@pulumi/pulumi";
import { UsageError } from "../provider/errors";
import { residencyOf } from "../provider/plans";
import type {
  Fleet,
  ResolvedDev,
  ResolvedDevBranch,
  ResolvedMigrations,
  ResolvedTenant,
  ResolvedTier,
} from "../provider/plans";
import { DevBranch, PlanQuota, RemovalBrake, TenantProject, TenantSchema } from "../provider/resources";
import { encodeTenantDigest } from "../provider/resources/tenantDigest";
import { adoptionChanges } from "./adoptions";
import { managesDev, managesTenant, type Shard } from "../provider/plans/shard";
import { templateSeries, type TemplateSeries } from "./templates";

/** Stack-wide choices that are not in the plans. */
export interface ProgramOptions {
  shard: Shard;
  /** `neon-fleet:exportConnections`: export every connection string as one secret output (demo and small stacks). */
  exportConnections: boolean;
}

/** What the stack exports: how many tenants it manages, per tier and per region. */
export interface FleetOutputs {
  tenants: number;
  tenantsByTier: Record<string, number>;
  tenantsByRegion: Record<string, number>;
  /** Tenants with their own project (`project`) and tenants that are branches of template projects (`branch`). */
  tenantsByPlacement: Record<string, number>;
  /** Template projects registered for the branch tiers. */
  templateProjects: number;
  /** Dev branches managed by this stack (0 when the dev project is in another shard or absent). */
  devBranches: number;
  /**
   * Only with `neon-fleet:exportConnections`: direct connection string per tenant id and per `dev/<branch>`,
   * as one secret (`pulumi stack output connections --show-secrets`).
   */
  connections?: pulumi.Output<Record<string, string>>;
}

/** Resource name of the dev project: tenant ids cannot contain `/`, so it never collides with a tenant. */
export const devResourceName = (dev: ResolvedDev): string => `dev/${dev.projectName}`;

/**
 * Tenants registered between two yields to the event loop. Registration is synchronous CPU work (about a
 * millisecond per tenant in Pulumi's SDK) and the SDK only sends a registration once the program yields, so
 * yielding now and then lets the engine start creating the first tenants while the rest are still registered.
 */
const REGISTRATIONS_PER_YIELD = 50;

/**
 * Registers one TenantProject + PlanQuota per tenant the stack manages, and the dev project with its branches; with
 * migrations in the plans, one TenantSchema per tenant and dev branch.
 */
export async function registerFleet(fleet: Fleet, options: ProgramOptions): Promise<FleetOutputs> {
  const tenants = fleet.tenants.filter((t) => managesTenant(options.shard, t));
  await registerRemovalBrake(tenants);
  const connections: Record<string, pulumi.Output<string>> = {};
  const series = templateSeries(fleet, tenants);
  const templatesOf = new Map(series.map((s) => [s.key, registerTemplates(s, fleet)]));
  const adoptions = await adoptionChanges(tenants);
  for (const [i, tenant] of tenants.entries()) {
    const templates = templatesOf.get(`${tenant.tier}/${tenant.region}`);
    const tier = fleet.tiers[tenant.tier]!;
    const registered = templates
      ? registerBranchTenant(tenant, tier, templates)
      : registerTenant(tenant, adoptions.get(tenant.id));
    connections[tenant.id] = registered.connectionUri;
    if (i % REGISTRATIONS_PER_YIELD === REGISTRATIONS_PER_YIELD - 1) await yieldToEngine();
  }
  const dev = fleet.dev;
  const devResidency = dev && residencyOf(fleet, dev.region);
  const withDev = dev !== undefined && managesDev(options.shard, fleet, dev);
  if (withDev) {
    const branches = registerDev(dev, devResidency ?? "dev", fleet.org);
    for (const [i, branch] of dev.branches.entries()) connections[`dev/${branch.name}`] = branches[i]!.connectionUri;
  }
  if (fleet.migrations.planned.length > 0) {
    const devNames = withDev ? dev.branches.map((b) => `dev/${b.name}`) : [];
    const formerIds = new Map(tenants.map((t) => [t.id, formerNames(t)]));
    await registerSchemas(
      fleet.migrations,
      devNames,
      tenants.map((t) => t.id),
      connections,
      formerIds,
    );
  }
  return {
    tenants: tenants.length,
    tenantsByTier: countBy(tenants, (t) => t.tier),
    tenantsByRegion: countBy(tenants, (t) => t.region),
    tenantsByPlacement: countBy(tenants, (t) => t.placement),
    templateProjects: series.reduce((sum, s) => sum + s.projects.length, 0),
    devBranches: withDev ? dev.branches.length : 0,
    ...(options.exportConnections ? { connections: pulumi.secret(pulumi.all(connections)) } : {}),
  };
}

/**
 * Registers the stack's RemovalBrake and waits until the engine has handled it (its registration is answered once
 * its Check, Diff and, in an update, its step are done) before anything else is registered: when its Check refuses
 * a mass removal, the run ends with no other resource even registered (see provider/resources/removalBrake.ts).
 */
async function registerRemovalBrake(tenants: readonly ResolvedTenant[]): Promise<void> {
  const brake = new RemovalBrake({ tenants: tenants.length, digest: encodeTenantDigest(tenants.map((t) => t.id)) });
  await new Promise<void>((resolve) => brake.urn.apply(() => resolve()));
}

/**
 * The options that carry a renamed tenant's resources over from its former ids (`formerIds`): each resource takes
 * over the state of the same resource named by a former id, so Pulumi updates it (the project is renamed in place)
 * instead of deleting the old tenant and creating a new one.
 */
function formerNames(tenant: ResolvedTenant): pulumi.CustomResourceOptions {
  return tenant.formerIds === undefined ? {} : { aliases: tenant.formerIds.map((name) => ({ name })) };
}

function registerTenant(tenant: ResolvedTenant, adoption: string | undefined): TenantProject {
  const renamed = formerNames(tenant);
  const project = new TenantProject(
    tenant.id,
    {
      tenantId: tenant.id,
      projectName: tenant.projectName,
      tier: tenant.tier,
      residency: tenant.residency,
      region: tenant.region,
      pgVersion: tenant.pgVersion,
      org: tenant.org,
      adopt: tenant.adopt,
      adoptionChanges: adoption,
      onRemove: tenant.onRemove,
      quota: tenant.quota,
      endpointSettings: tenant.endpointSettings,
      historyRetentionSeconds: tenant.historyRetentionSeconds,
      restore: tenant.restore,
    },
    renamed,
  );
  new PlanQuota(
    tenant.id,
    {
      tenantId: tenant.id,
      tier: tenant.tier,
      projectId: project.projectId,
      quota: tenant.quota,
      endpointSettings: tenant.endpointSettings,
      historyRetentionSeconds: tenant.historyRetentionSeconds,
      observedSettings: project.observedSettings,
      placement: project.placement,
    },
    renamed,
  );
  return project;
}

/**
 * A branch tier's tenant: a TenantProject with branch placement (no PlanQuota: its template project's quota is the
 * template's, and its endpoint is kept on tier by the TenantProject itself). It gets the series' template projects in
 * order; the create records the one it lands in (see provider/resources/tenantBranch.ts).
 */
function registerBranchTenant(tenant: ResolvedTenant, tier: ResolvedTier, templates: TenantProject[]): TenantProject {
  return new TenantProject(
    tenant.id,
    {
      tenantId: tenant.id,
      projectName: tenant.projectName,
      tier: tenant.tier,
      residency: tenant.residency,
      region: tenant.region,
      pgVersion: tenant.pgVersion,
      org: tenant.org,
      onRemove: tenant.onRemove,
      quota: tenant.quota,
      endpointSettings: tenant.endpointSettings,
      restore: tenant.restore,
      placement: "branch",
      templates: pulumi.all(templates.map((t) => t.projectId)),
      branchesPerProject: tier.branchesPerProject,
    },
    formerNames(tenant),
  );
}

/**
 * The template projects of one (tier, region) series: each a TenantProject named `template/<tier>/<region>/<n>`
 * (tenant ids cannot hold `/`) with its PlanQuota, retained when removed. Its default branch is the template every
 * new tenant branch starts from.
 */
function registerTemplates(series: TemplateSeries, fleet: Fleet): TenantProject[] {
  const tier = fleet.tiers[series.tier]!;
  return series.projects.map(({ resourceName, projectName }) => {
    const project = new TenantProject(resourceName, {
      tenantId: resourceName,
      projectName,
      tier: series.tier,
      residency: series.residency,
      region: series.region,
      pgVersion: fleet.defaults.pgVersion,
      org: fleet.org,
      onRemove: "retain",
      quota: tier.quota,
      endpointSettings: tier.endpointSettings,
      historyRetentionSeconds: tier.historyRetentionSeconds,
    });
    new PlanQuota(resourceName, {
      tenantId: resourceName,
      tier: series.tier,
      projectId: project.projectId,
      quota: tier.quota,
      endpointSettings: tier.endpointSettings,
      historyRetentionSeconds: tier.historyRetentionSeconds,
      observedSettings: project.observedSettings,
    });
    return project;
  });
}

function registerDev(dev: ResolvedDev, residency: string, org: string | undefined): DevBranch[] {
  const name = devResourceName(dev);
  const project = new TenantProject(name, {
    tenantId: name,
    projectName: dev.projectName,
    tier: dev.tier,
    residency,
    region: dev.region,
    pgVersion: dev.pgVersion,
    org,
    onRemove: "retain",
    quota: dev.quota,
    endpointSettings: dev.endpointSettings,
    historyRetentionSeconds: dev.historyRetentionSeconds,
  });
  new PlanQuota(name, {
    tenantId: name,
    tier: dev.tier,
    projectId: project.projectId,
    quota: dev.quota,
    endpointSettings: dev.endpointSettings,
    historyRetentionSeconds: dev.historyRetentionSeconds,
    observedSettings: project.observedSettings,
  });
  return registerBranches(dev, project.projectId);
}

/**
 * Registers the dev branches so that a branch whose parent is another dev branch depends on it: the engine
 * then creates the parent first (and deletes it last), whatever the order in dev.yaml.
 */
function registerBranches(dev: ResolvedDev, projectId: pulumi.Output<string>): DevBranch[] {
  const byName = new Map(dev.branches.map((b) => [b.name, b]));
  const registered = new Map<string, DevBranch>();
  const register = (branch: ResolvedDevBranch, chain: string[]): DevBranch => {
    const done = registered.get(branch.name);
    if (done) return done;
    if (chain.includes(branch.name))
      throw new UsageError(
        `dev.yaml: branches ${[...chain, branch.name].join(" -> ")} are each other's parents; break the cycle`,
      );
    const parent = byName.get(branch.parent);
    const dependsOn = parent ? [register(parent, [...chain, branch.name])] : [];
    const resource = new DevBranch(
      branch.name,
      {
        projectId,
        name: branch.name,
        parent: branch.parent,
        ttlSeconds: branch.ttlSeconds,
        resetToken: branch.resetToken,
        adopt: branch.adopt,
      },
      { dependsOn },
    );
    registered.set(branch.name, resource);
    return resource;
  };
  return dev.branches.map((branch) => register(branch, []));
}

/**
 * Registers one TenantSchema per dev branch and tenant, in rollout order: the dev branches first, then the
 * canary tenants (depending on every dev branch's schema), then the rest of the fleet (depending on every
 * canary's). Under Pulumi the dependents of a failed resource are not updated, so a migration failing on a dev
 * branch or a canary stops the rollout before it reaches the fleet. Canaries in another shard's stack do not
 * gate this stack.
 */
async function registerSchemas(
  migrations: ResolvedMigrations,
  devNames: string[],
  tenantIds: string[],
  connections: Record<string, pulumi.Output<string>>,
  formerIds: Map<string, pulumi.CustomResourceOptions>,
): Promise<void> {
  const canary = new Set(migrations.canary);
  const schema = (name: string, stage: "dev" | "canary" | "fleet", dependsOn: TenantSchema[]) =>
    new TenantSchema(
      name,
      {
        tenantId: name,
        stage,
        migrations: migrations.planned,
        plansDir: migrations.dir,
        connection: connections[name]!,
        database: migrations.database,
        role: migrations.role,
        statementTimeoutSeconds: migrations.statementTimeoutSeconds,
      },
      { dependsOn, ...formerIds.get(name) },
    );
  const devSchemas = devNames.map((name) => schema(name, "dev", []));
  const canarySchemas = tenantIds.filter((id) => canary.has(id)).map((id) => schema(id, "canary", devSchemas));
  const gate = canarySchemas.length > 0 ? canarySchemas : devSchemas;
  for (const [i, id] of tenantIds.filter((t) => !canary.has(t)).entries()) {
    schema(id, "fleet", gate);
    if (i % REGISTRATIONS_PER_YIELD === REGISTRATIONS_PER_YIELD - 1) await yieldToEngine();
  }
}

function yieldToEngine(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}
