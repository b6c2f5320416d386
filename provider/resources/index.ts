/** The dynamic resources of neon-fleet; each file holds one resource's schema, diff and CRUD. */
export {
  TenantProject,
  type TenantProjectArgs,
  type TenantProjectInputs,
  type TenantProjectOutputs,
} from "./tenantProject";
export { PlanQuota, type PlanQuotaArgs, type PlanQuotaInputs, type PlanQuotaOutputs } from "./planQuota";
export { DevBranch, type DevBranchArgs, type DevBranchInputs, type DevBranchOutputs } from "./devBranch";
export { TenantSchema, type SchemaFailure, type TenantSchemaArgs } from "./tenantSchema";
export type { TenantSchemaInputs, TenantSchemaOutputs } from "./tenantSchema";
export { RemovalBrake, massRemovalLimit, type RemovalBrakeArgs } from "./removalBrake";
export type { EndpointSettings, NeonQuota, TierSettings } from "./tierSettings";
