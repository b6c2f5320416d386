/**
 * How the stack program reports a failure it has already explained: a Pulumi RunError, which Pulumi prints as
 * its message alone (no stack trace).
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * A RunError whose stack is just its message. Pulumi never shows a RunError's stack, but `cmd/run` still
 * formats it with `util.inspect(err, { colors: true })`; on Node 20.19.6-20.20.x that loops for 45 s to
 * minutes and GBs of memory on the SDK's source-mapped frames (`node_modules/@pulumi/resource.ts`,
 * nodejs/node#64011) before the program can exit, so a failed preview/up would hang that long.
 */
export function reportedError(message: string): pulumi.RunError {
  const err = new pulumi.RunError(message);
  err.stack = message;
  return err;
}
