/**
 * `refresh`: Read every custom resource in state through its provider and adopt what it reports.
 * A Read that answers an empty id means the resource no longer exists: it leaves the state. After each
 * Read the engine calls Diff with old and new swapped (step.go RefreshStep.Apply: the refreshed inputs
 * and outputs as the olds, the old inputs as the news) to show the drift as the next `up` would undo it;
 * a resource counts as `update` when that Diff reports changes.
 */
import { DefaultProvider } from "./defaultProvider";
import { showState } from "./preview";
import { annotateSecrets, deepEqual, forProvider } from "./properties";
import type { ProviderHost } from "./providerHost";
import { abort, fail, type RunContext } from "./run";

/** How each refreshed resource came out, for the change summary. */
export interface RefreshSummary {
  same: number;
  update: number;
  delete: number;
}

/** Refreshes all resources in parallel within the provider pool. */
export async function refreshAll(ctx: RunContext, provider: () => Promise<ProviderHost>): Promise<RefreshSummary> {
  const summary: RefreshSummary = { same: 0, update: 0, delete: 0 };
  const resources = ctx.live.all().filter((r) => r.custom && !DefaultProvider.isProviderType(r.type));
  ctx.progress.known += resources.length;
  await Promise.all(
    resources.map(async (old) => {
      try {
        const host = await provider();
        const refreshed = await ctx.pool.run(async () => {
          if (ctx.cancelled) return undefined;
          const read = await host.read(old.urn, old.id ?? "", forProvider(old.outputs), forProvider(old.inputs));
          if (!read.id) return { read };
          const inputs = read.inputs ?? forProvider(old.inputs);
          const diff = await host.diff(old.urn, read.id, read.properties, forProvider(old.inputs), inputs, []);
          return { read, diff };
        });
        if (!refreshed) return;
        const { read, diff } = refreshed;
        if (!read.id || !diff) {
          ctx.live.remove(old.urn);
          ctx.live.endStep();
          ctx.steps.push({
            op: "refresh",
            urn: old.urn,
            ...(old.provider ? { provider: old.provider } : {}),
            oldState: showState(old),
          });
          summary.delete++;
          return;
        }
        // Like the engine for providers without secret support: a property stays secret if it was secret before.
        const inputs = read.inputs ? annotateSecrets(read.inputs, old.inputs, []) : old.inputs;
        const outputs = annotateSecrets(read.properties, old.outputs, old.additionalSecretOutputs ?? []);
        const next = { ...old, id: read.id, inputs, outputs };
        const changed = diff.changes === "some" || (diff.changes === "unknown" && !deepEqual(old.inputs, next.inputs));
        ctx.live.put(next);
        ctx.live.endStep();
        ctx.steps.push({
          op: "refresh",
          urn: old.urn,
          ...(old.provider ? { provider: old.provider } : {}),
          oldState: showState(old),
          newState: showState(next),
        });
        summary[changed ? "update" : "same"]++;
      } catch (e) {
        if (ctx.continueOnError) fail(ctx, old.urn, (e as Error).message);
        else abort(ctx, old.urn, (e as Error).message);
      } finally {
        ctx.progress.done++;
      }
    }),
  );
  return summary;
}
