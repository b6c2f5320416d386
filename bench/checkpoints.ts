/**
 * The checkpoint cost of onboarding a fleet under the real Pulumi engine with the file backend (the same
 * holds for S3 and for Pulumi Cloud without journaling): pkg/backend/snapshot.go serializes the WHOLE
 * snapshot when each create starts (with the pending operation) and again when it ends, and once more when
 * the run closes. With M creates of b bytes each over a base snapshot of B bytes, that is
 *   sum over k < M of [(B + k*b + b) + (B + (k+1)*b)] + (B + M*b) = (2M + 1)*B + b*(M^2 + 2M)
 * bytes, quadratic in the fleet: the engine double counts the same thing during a run (`checkpointBytes`).
 */

/** What one onboarding looks like to the snapshot. */
export interface OnboardingShape {
  tenants: number;
  /** Resources created per tenant (TenantProject, PlanQuota, ...). */
  resourcesPerTenant: number;
  /** Snapshot bytes per tenant once onboarded (all its resources). */
  bytesPerTenant: number;
  /** Snapshot bytes that do not grow with tenants (stack, provider, header). */
  baseBytes?: number;
}

/** Bytes a real engine serializes for checkpoints while onboarding `tenants` tenants from an empty stack. */
export function onboardingCheckpointBytes({
  tenants,
  resourcesPerTenant,
  bytesPerTenant,
  baseBytes = 0,
}: OnboardingShape): number {
  const creates = tenants * resourcesPerTenant;
  const perCreate = bytesPerTenant / resourcesPerTenant;
  return (2 * creates + 1) * baseBytes + perCreate * (creates * creates + 2 * creates);
}
