import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator";
import { createNeonClient, type CreateReadiness, type NeonClient, type NeonTuning } from "../../provider/neon";

/** The key the test emulators accept. */
export const TEST_KEY = "test-key";

/** An emulator and a client talking to it, with rates high enough that tests only wait where they mean to. */
export interface Rig {
  emulator: RunningEmulator;
  client: NeonClient;
}

/** Starts an emulator (only TEST_KEY accepted) and a client of its own with the given tuning. */
export async function startRig(
  options: EmulatorOptions = {},
  tuning: Partial<NeonTuning> = {},
  readiness: CreateReadiness = { waitForReady: false },
): Promise<Rig> {
  const emulator = await startEmulator({
    ratePerMinute: 60_000,
    burstPerSecond: 1_000,
    opMs: 50,
    apiKey: TEST_KEY,
    ...options,
  });
  const fast = { ratePerMinute: 30_000, burstPerSecond: 500, ...tuning };
  const client = createNeonClient({ apiKey: TEST_KEY, apiHost: emulator.url }, fast, readiness);
  return { emulator, client };
}

/** Requests the emulator received since its last reset, by `METHOD /template`, and in total. */
export function requests(emulator: RunningEmulator): { total: number; byRoute: Record<string, number> } {
  return emulator.stats().requests;
}

/** Creates `count` projects straight through HTTP (not through the client under test), `parallel` at a time. */
export async function seedProjects(emulator: RunningEmulator, names: string[], parallel = 16): Promise<string[]> {
  const ids: string[] = new Array(names.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < names.length; i = next++) {
      const response = await fetch(`${emulator.url}/projects`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ project: { name: names[i] } }),
      });
      if (response.status !== 201) throw new Error(`seeding ${names[i]}: ${response.status} ${await response.text()}`);
      ids[i] = ((await response.json()) as { project: { id: string } }).project.id;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return ids;
}

/** Runs `task` over `items`, `parallel` at a time, like the engine runs resource steps. */
export async function inParallel<T, R>(items: T[], parallel: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await task(items[i]);
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return results;
}
