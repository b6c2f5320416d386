/**
 * `npm run up:local`: the demo for users with the Pulumi CLI. Starts the emulator on 127.0.0.1:4010, runs
 * `pulumi up` on the `local` stack with a file backend in ./.pulumi-local, prints the stack outputs, and
 * stops the emulator. Without the Pulumi CLI it says so and points at the engine double.
 */
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { startEmulator } from "../emulator";

const PORT = 4010;
const STACK = "local";

/** Runs pulumi with inherited stdio; resolves with its exit code (-1 when it could not start). */
function pulumi(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    // Async on purpose: the emulator serves from this process's event loop while pulumi runs.
    const child = spawn("pulumi", args, { stdio: "inherit", env });
    child.on("error", () => resolve(-1));
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<number> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // A per-project backend through the environment rather than `pulumi login`, so the user's own
    // login (e.g. Pulumi Cloud) is left as it was.
    PULUMI_BACKEND_URL: "file://./.pulumi-local",
    PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "",
    // The emulator accepts any key; a real key in the environment is not needed, nor sent anywhere else.
    NEON_API_KEY: process.env.NEON_API_KEY ?? "emulator-key",
  };
  if ((await pulumi(["version"], env)) !== 0) {
    process.stderr.write(
      "npm run up:local needs the Pulumi CLI on PATH (https://www.pulumi.com/docs/install/); " +
        "without it, run the same program with the engine double: npm run -s engine -- up --plans plans --state .neon-fleet-state.json\n",
    );
    return 1;
  }
  mkdirSync(".pulumi-local", { recursive: true });
  const emulator = await startEmulator({ port: PORT });
  process.stdout.write(`emulator listening on ${emulator.url}\n`);
  try {
    for (const step of [
      ["stack", "select", STACK, "--create"],
      ["up", "--yes", "--stack", STACK],
      ["stack", "output", "--stack", STACK],
    ]) {
      const code = await pulumi(step, env);
      if (code !== 0) return code;
    }
    return 0;
  } finally {
    await emulator.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`up:local: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
