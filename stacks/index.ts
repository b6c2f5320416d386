/**
 * The neon-fleet Pulumi program (Pulumi.yaml `main`, compiled to dist/stacks/index.js): loads the plans
 * named by `neon-fleet:plans` (default ./plans, relative to the project root), keeps the tenants of
 * `neon-fleet:shard`, and registers their resources. Invalid plans stop the program with one
 * `FILE:LINE:COL: message` line per problem and nothing registered, so nothing is sent to Neon.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { FleetError } from "../provider/errors";
import { loadPlans } from "../provider/plans";
import { registerFleet, type FleetOutputs } from "./fleetProgram";
import { reportedError } from "./runError";
import { projectRoot } from "./projectRoot";
import { parseShard } from "../provider/plans/shard";
import { checkStackConfig } from "./stackConfig";

// Pulumi's SDK takes an unbounded stack trace for every resource it registers and for each of its internal
// promises; through the source-map-support hook that `pulumi` installs in the program process, each costs
// milliseconds of source mapping, which made registering a fleet of thousands of resources CPU-bound (about half
// of the program's time at 1,000 tenants). V8's own formatting is enough here: the traces only point at dist/.
Error.prepareStackTrace = undefined;

export = async (): Promise<FleetOutputs> => {
  const config = new pulumi.Config("neon-fleet");
  // Pulumi starts the program in dist/stacks (the folder of `main`). Working from the project root makes
  // `neon-fleet:plans` and the FILE of plan errors read as they do for `neon-fleet validate` run there.
  process.chdir(projectRoot());
  try {
    checkStackConfig(pulumi.runtime.allConfig(), process.env, pulumi.runtime.isDryRun());
    const fleet = await loadPlans(path.resolve(config.get("plans") ?? "./plans"));
    return await registerFleet(fleet, {
      shard: parseShard(config.get("shard"), config.get("bucket"), fleet),
      exportConnections: config.getBoolean("exportConnections") ?? false,
    });
  } catch (err) {
    // Plan errors are meant to be read, not debugged: Pulumi prints just the message.
    if (err instanceof FleetError) throw reportedError(err.message);
    throw err;
  }
};
