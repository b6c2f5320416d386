/**
 * The neon-fleet Pulumi program (Pulumi.yaml `main`, compiled to dist/stacks/index.js): loads the plans
 * named by `neon-fleet:plans` (default ./plans), keeps the tenants of `neon-fleet:shard`, and registers
 * their resources. Invalid plans stop the program with one `FILE:LINE:COL: message` line per problem and
 * nothing registered, so nothing is sent to Neon.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { FleetError } from "../provider/errors";
import { loadPlans } from "../provider/plans";
import { registerFleet, type FleetOutputs } from "./fleetProgram";
import { parseShard } from "./shard";

export = async (): Promise<FleetOutputs> => {
  const config = new pulumi.Config("neon-fleet");
  try {
    const fleet = await loadPlans(path.resolve(config.get("plans") ?? "./plans"));
    return registerFleet(fleet, {
      shard: parseShard(config.get("shard"), fleet),
      allowReplace: config.getBoolean("allowReplace") ?? false,
    });
  } catch (err) {
    // RunError makes Pulumi print just the message: plan errors are meant to be read, not debugged.
    if (err instanceof FleetError) throw new pulumi.RunError(err.message);
    throw err;
  }
};
