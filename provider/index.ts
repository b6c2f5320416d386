/**
 * neon-fleet as a library: the three Pulumi dynamic resources and the plan loader, for programs that
 * build their own stacks instead of using stacks/index.ts.
 */
export * from "./resources";
export {
  loadPlans,
  type Fleet,
  type ResolvedTenant,
  type ResolvedTier,
  type ResolvedDev,
  type ResolvedDevBranch,
} from "./plans";
