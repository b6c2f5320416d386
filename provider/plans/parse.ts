/**
 * Checks each plan file against its schema. A valid file costs one safeParse. An invalid one has every issue
 * reported and is then salvaged section by section (each tier, each tenant, each branch on its own), so the
 * cross-file checks still run on everything that is valid and one typo does not hide the other problems.
 */
import type { z } from "zod";
import type { PlanError } from "../errors";
import { issueErrors } from "./issues";
import {
  devBranchSchema,
  devFileSchema,
  fleetFileSchema,
  tenantSchema,
  tenantsFileSchema,
  tierSchema,
  tiersFileSchema,
} from "./schema";
import type { DevFile, FleetFile, TenantSpec, TenantsFile, TierSpec, TiersFile } from "./schema";
import type { PlanSource } from "./source";

/** What is usable of fleet.yaml; `valid` when the whole file is. */
export type FleetView = Partial<FleetFile> & { valid?: FleetFile };
/** What is usable of tiers.yaml: every tier name written, and the spec of each valid tier. */
export interface TiersView {
  names: Set<string>;
  tiers: Record<string, TierSpec | undefined>;
  valid?: TiersFile;
}
/** What is usable of a tenants file: its defaults and each valid tenant at its list index. */
export interface TenantsView {
  source: PlanSource;
  defaults?: TenantsFile["defaults"];
  tenants: (TenantSpec | undefined)[];
  valid?: TenantsFile;
}
/** What is usable of dev.yaml. */
export interface DevView {
  source: PlanSource;
  project?: DevFile["project"];
  branches: (z.output<typeof devBranchSchema> | undefined)[];
  valid?: DevFile;
}

function check<S extends z.ZodType>(schema: S, source: PlanSource, errors: PlanError[]): z.output<S> | undefined {
  const result = schema.safeParse(source.data);
  if (result.success) return result.data;
  for (const issue of result.error.issues) errors.push(...issueErrors(source, issue));
  return undefined;
}

const salvage = <S extends z.ZodType>(schema: S, value: unknown): z.output<S> | undefined =>
  schema.safeParse(value).data;
const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const mappingOf = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** Checks fleet.yaml. */
export function parseFleet(source: PlanSource, errors: PlanError[]): FleetView {
  const valid = check(fleetFileSchema, source, errors);
  if (valid) return { ...valid, valid };
  const shape = fleetFileSchema.shape;
  return {
    fleet: salvage(shape.fleet, source.data.fleet),
    residency: salvage(shape.residency, source.data.residency),
    defaults: salvage(shape.defaults, source.data.defaults),
    migrations: salvage(shape.migrations, source.data.migrations),
  };
}

/** Checks tiers.yaml. */
export function parseTiers(source: PlanSource, errors: PlanError[]): TiersView {
  const valid = check(tiersFileSchema, source, errors);
  if (valid) return { names: new Set(Object.keys(valid.tiers)), tiers: valid.tiers, valid };
  const raw = mappingOf(source.data.tiers);
  return {
    names: new Set(Object.keys(raw)),
    tiers: Object.fromEntries(Object.entries(raw).map(([name, tier]) => [name, salvage(tierSchema, tier)])),
  };
}

/** Checks one tenants/*.yaml file. */
export function parseTenants(source: PlanSource, errors: PlanError[]): TenantsView {
  const valid = check(tenantsFileSchema, source, errors);
  if (valid) return { source, defaults: valid.defaults, tenants: valid.tenants, valid };
  return {
    source,
    defaults: salvage(tenantsFileSchema.shape.defaults, source.data.defaults),
    tenants: listOf(source.data.tenants).map((tenant) => salvage(tenantSchema, tenant)),
  };
}

/** Checks dev.yaml. */
export function parseDev(source: PlanSource, errors: PlanError[]): DevView {
  const valid = check(devFileSchema, source, errors);
  if (valid) return { source, project: valid.project, branches: valid.branches ?? [], valid };
  return {
    source,
    project: salvage(devFileSchema.shape.project, source.data.project),
    branches: listOf(source.data.branches).map((branch) => salvage(devBranchSchema, branch)),
  };
}
