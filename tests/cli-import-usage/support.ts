import { execFile } from "node:child_process";
import { cp, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RunningEmulator } from "../../emulator";

const bin = path.join(__dirname, "..", "..", "bin", "neon-fleet.js");
/** The plans the stories start from: tenants acme, globex, initech (free) and umbrella (pro with 20GiB storage). */
export const FIXTURE_PLANS = path.join(__dirname, "..", "fixtures", "import-usage", "plans");
export const KEY = "fleet-owner-key";

/** A command's outcome. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `neon-fleet` binary (`npm test` builds it first) in a child process with the given API key. */
export function neonFleet(args: string[], apiKey: string | undefined = KEY): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, NEON_API_KEY: apiKey };
  if (apiKey === undefined) delete env.NEON_API_KEY;
  delete env.NEON_API_HOST;
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A scratch copy of the fixture plans, so a story can add files to it. */
export async function copyOfPlans(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "neon-fleet-plans-"));
  await cp(FIXTURE_PLANS, dir, { recursive: true });
  return dir;
}

/** The settings Neon holds for a project on each fixture tier (what TenantProject gives a tenant). */
export const TIER_SETTINGS = {
  free: {
    settings: {
      quota: {
        active_time_seconds: 0,
        compute_time_seconds: 360000,
        logical_size_bytes: 536870912,
        data_transfer_bytes: 5368709120,
        written_data_bytes: 1073741824,
      },
    },
    default_endpoint_settings: {
      autoscaling_limit_min_cu: 0.25,
      autoscaling_limit_max_cu: 0.25,
      suspend_timeout_seconds: 300,
    },
  },
  pro: {
    settings: {
      quota: {
        active_time_seconds: 0,
        compute_time_seconds: 2700000,
        logical_size_bytes: 10737418240,
        data_transfer_bytes: 53687091200,
        written_data_bytes: 53687091200,
      },
    },
    default_endpoint_settings: {
      autoscaling_limit_min_cu: 0.25,
      autoscaling_limit_max_cu: 2,
      suspend_timeout_seconds: 600,
    },
  },
};

/** Creates projects in the emulator the way someone did before the fleet was managed; returns their ids. */
export async function existingProjects(
  emulator: RunningEmulator,
  bodies: Record<string, unknown>[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const project of bodies) {
    const response = await fetch(`${emulator.url}/projects`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ project }),
    });
    if (response.status !== 201)
      throw new Error(`creating ${JSON.stringify(project)}: ${response.status} ${await response.text()}`);
    ids.push(((await response.json()) as { project: { id: string } }).project.id);
  }
  return ids;
}

/** Sets what the consumption API reports for a project this month. */
export async function setConsumption(
  emulator: RunningEmulator,
  projectId: string,
  metrics: Record<string, number>,
): Promise<void> {
  const response = await fetch(`${emulator.url.replace(/\/api\/v2$/, "")}/__emulator/consumption`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ projectId, metrics }),
  });
  if (response.status !== 200)
    throw new Error(`setting consumption of ${projectId}: ${response.status} ${await response.text()}`);
}
