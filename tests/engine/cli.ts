/**
 * `npm run -s engine -- preview|up|refresh|destroy --plans DIR --state FILE [--api URL] [--json OUT]
 * [--config KEY=VALUE]... [--program PATH] [--stack NAME] [--parallel N] [--continue-on-error] [--skip-preview]
 * [--replace URN]...`: the engine double's command line.
 * Exit 0 when every step succeeded, 1 otherwise with one `error: <urn>: <message>` line per failure.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { FleetError, UsageError } from "../../provider/errors";
import { runEngine, type EngineRunOptions } from "./index";
import { parseConfigFlag } from "./project";

/** Builds the command line; exported so tests can parse without spawning. */
export function buildEngineCli(): Command {
  return new Command("engine")
    .description(
      "engine double (a test double of the Pulumi engine, not a Pulumi replacement): runs the stack program against the real dynamic-provider server",
    )
    .addOption(
      new Option(
        "--state <file>",
        "state file (JSON; secrets encrypted with PULUMI_CONFIG_PASSPHRASE)",
      ).makeOptionMandatory(),
    )
    .option("--plans <dir>", "sets config neon-fleet:plans")
    .option("--api <url>", "sets config neon-fleet:apiHost and NEON_API_HOST for the provider")
    .option("--json <out>", "writes the `pulumi preview --json`-shaped document")
    .option(
      "--config <key=value>",
      "stack config, repeatable (e.g. neon-fleet:allowReplace=true)",
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option("--program <path>", "the stack program, in place of Pulumi.yaml's main (runs in its own folder)")
    .option("--stack <name>", "stack name", "local")
    .option("--parallel <n>", "provider operations in flight at most (default 4 x CPU cores)", (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number of at least 1");
      return n;
    })
    .option("--continue-on-error", "a failed create/update/delete fails that resource and its dependents only")
    .option("--skip-preview", "up, refresh and destroy run without their preview pass")
    .option(
      "--replace <urn>",
      "replace this resource (create first, delete last) without a diff; repeatable",
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option("--show-secrets", "print stack outputs after up with secrets in the clear (never in --json)")
    .argument("<command>", "preview | up | refresh | destroy")
    .showHelpAfterError()
    .exitOverride()
    .action(
      async (
        command: string,
        flags: {
          state: string;
          plans?: string;
          api?: string;
          json?: string;
          config: string[];
          program?: string;
          stack: string;
          parallel?: number;
          showSecrets?: boolean;
          continueOnError?: boolean;
          skipPreview?: boolean;
          replace: string[];
        },
      ) => {
        if (!["preview", "up", "refresh", "destroy"].includes(command))
          throw new UsageError(`unknown command ${command}; use preview, up, refresh or destroy`);
        const config = Object.fromEntries(flags.config.map((c) => parseConfigFlag("neon-fleet", c)));
        const options: EngineRunOptions = {
          command: command as EngineRunOptions["command"],
          stateFile: flags.state,
          stack: flags.stack,
          config,
          onLog: (line) => process.stderr.write(`${line}\n`),
          ...(flags.plans !== undefined ? { plansDir: flags.plans } : {}),
          ...(flags.api !== undefined ? { apiUrl: flags.api } : {}),
          ...(flags.json !== undefined ? { jsonOut: flags.json } : {}),
          ...(flags.program !== undefined ? { program: flags.program } : {}),
          ...(flags.parallel !== undefined ? { parallel: flags.parallel } : {}),
          ...(flags.showSecrets ? { showSecrets: true } : {}),
          ...(flags.continueOnError ? { continueOnError: true } : {}),
          ...(flags.skipPreview ? { skipPreview: true } : {}),
          ...(flags.replace.length ? { replace: flags.replace } : {}),
        };
        const result = await runEngine(options);
        const summary = Object.entries(result.preview.changeSummary)
          .map(([op, n]) => `${op} ${n}`)
          .join(", ");
        process.stdout.write(`${command}: ${summary || "no resources"}\n`);
        if (command === "up")
          for (const [k, v] of Object.entries(result.outputs)) process.stdout.write(`  ${k}: ${JSON.stringify(v)}\n`);
        process.exitCode = result.ok ? 0 : 1;
      },
    );
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildEngineCli().parseAsync(argv);
  } catch (err) {
    // Commander has printed its message; a bad command line is a usage error (exit 2), --help is not.
    if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? 0 : 2;
    else {
      process.stderr.write(
        `${err instanceof FleetError ? err.message : `error: ${(err as Error).message.split("\n")[0]}`}\n`,
      );
      process.exitCode = err instanceof FleetError ? err.exitCode : 1;
    }
  }
}

if (require.main === module) void main(process.argv);
