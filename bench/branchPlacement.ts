import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmulator } from "../emulator";
import { runEngine } from "../tests/engine";

/** Onboarding N tenants of one tier and region as branches of template projects, next to the same N as projects. */
export interface BranchPlacementResult {
  tenants: number;
  branchesPerProject: number;
  templateProjects: number;
  /** Every API call of the onboarding `up` (template projects included) per tenant. */
  apiCallsPerTenant: number;
  rateLimited: number;
  /** Branch creates sent beyond one per tenant: each met a 423 (the bench injects no faults). */
  locked: number;
  wallSeconds: number;
  /** The same tenants with `placement: project`, against a fresh emulator with the same settings. */
  projectPlacement: { apiCallsPerTenant: number; rateLimited: number; wallSeconds: number };
}

/** The options of one branch-placement run. */
export interface BranchPlacementOptions {
  tenants: number;
  branchesPerProject: number;
  ratePerMinute: number;
  burstPerSecond: number;
  parallel: number;
}

const API_KEY = "bench-branch-placement-key-not-a-real-secret";

const FLEET = `fleet:
  projectNamePrefix: t-
residency:
  us: [aws-us-east-2]
defaults:
  residency: us
  tier: free
  pgVersion: 17
`;

function tiers(placement: "project" | "branch", branchesPerProject: number): string {
  const branch = placement === "branch" ? `    placement: branch\n    branchesPerProject: ${branchesPerProject}\n` : "";
  return `tiers:
  free:
${branch}    compute: { min: 0.25, max: 0.25 }
    suspendAfter: 5m
    computeTime: unlimited
    activeTime: unlimited
    storage: 512MiB
    dataTransfer: unlimited
    writtenData: unlimited
`;
}

function writePlans(root: string, placement: "project" | "branch", options: BranchPlacementOptions): string {
  const dir = path.join(root, `plans-${placement}`);
  mkdirSync(path.join(dir, "tenants"), { recursive: true });
  writeFileSync(path.join(dir, "fleet.yaml"), FLEET);
  writeFileSync(path.join(dir, "tiers.yaml"), tiers(placement, options.branchesPerProject));
  const ids = Array.from({ length: options.tenants }, (_, n) => `  - id: tenant-${String(n).padStart(6, "0")}`);
  writeFileSync(path.join(dir, "tenants", "all.yaml"), `tenants:\n${ids.join("\n")}\n`);
  return dir;
}

/** One onboarding `up` of the plans against a fresh emulator: calls, 429s, branch creates and wall time. */
async function onboard(root: string, plansDir: string, options: BranchPlacementOptions) {
  const { tenants, ratePerMinute, burstPerSecond, parallel } = options;
  const emulator = await startEmulator({ ratePerMinute, burstPerSecond, projectLimit: tenants + 10 });
  const env = { NEON_FLEET_RATE: String(ratePerMinute), NEON_FLEET_BURST: String(burstPerSecond) };
  try {
    const stateFile = path.join(root, `${path.basename(plansDir)}.state.json`);
    const started = process.hrtime.bigint();
    const apiUrl = emulator.url;
    const result = await runEngine({ command: "up", plansDir, stateFile, apiUrl, apiKey: API_KEY, env, parallel });
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (!result.ok) {
      const first = result.failures
        .slice(0, 3)
        .map((f) => f.message)
        .join("; ");
      throw new Error(`up of ${tenants} tenants failed: ${first}`);
    }
    const stats = emulator.stats();
    const branchPosts = stats.requests.byRoute["POST /projects/{project_id}/branches"] ?? 0;
    const { rateLimited } = stats;
    return { apiCalls: stats.requests.total, rateLimited, branchPosts, wallSeconds, outputs: result.outputs };
  } finally {
    await emulator.close();
  }
}

/** Onboards `tenants` branch tenants, then the same tenants as projects, each against a fresh emulator. */
export async function benchBranchPlacement(options: BranchPlacementOptions): Promise<BranchPlacementResult> {
  const root = mkdtempSync(path.join(os.tmpdir(), `neon-fleet-bench-branches-${options.tenants}-`));
  try {
    const branch = await onboard(root, writePlans(root, "branch", options), options);
    const project = await onboard(root, writePlans(root, "project", options), options);
    const { tenants } = options;
    return {
      tenants,
      branchesPerProject: options.branchesPerProject,
      templateProjects: Number(branch.outputs.templateProjects ?? 0),
      apiCallsPerTenant: branch.apiCalls / tenants,
      rateLimited: branch.rateLimited,
      locked: Math.max(0, branch.branchPosts - tenants),
      wallSeconds: branch.wallSeconds,
      projectPlacement: {
        apiCallsPerTenant: project.apiCalls / tenants,
        rateLimited: project.rateLimited,
        wallSeconds: project.wallSeconds,
      },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
