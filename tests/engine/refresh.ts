/**
 * `refresh`: Read every custom resource in state through its provider and adopt what it reports.
 * A Read that answers an empty id means the resource no longer exists: it leaves the state.
 */
import { DefaultProvider } from "./defaultProvider";
import { showState } from "./preview";
import { annotateSecrets, deepEqual, forProvider } from "./properties";
import type { ProviderHost } from "./providerHost";
import { fail, type RunContext } from "./run";

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
        const read = await ctx.pool.run(() => host.read(old.urn, old.id ?? "", forProvider(old.outputs), forProvider(old.inputs)));
        if (!read.id) {
          ctx.live.remove(old.urn);
          ctx.steps.push({ op: "refresh", urn: old.urn, ...(old.provider ? { provider: old.provider } : {}), oldState: showState(old) });
          summary.delete++;
          return;
        }
        // Like the engine for providers without secret support: a property stays secret if it was secret before.
        const inputs = read.inputs ? annotateSecrets(read.inputs, old.inputs, []) : old.inputs;
        const outputs = annotateSecrets(read.properties, old.outputs, old.additionalSecretOutputs ?? []);
        const next = { ...old, id: read.id, inputs, outputs };
        const changed = !deepEqual(old.outputs, next.outputs) || !deepEqual(old.inputs, next.inputs);
        ctx.live.put(next);
        ctx.steps.push({ op: "refresh", urn: old.urn, ...(old.provider ? { provider: old.provider } : {}), oldState: showState(old), newState: showState(next) });
        summary[changed ? "update" : "same"]++;
      } catch (e) {
        fail(ctx, old.urn, (e as Error).message);
      } finally {
        ctx.progress.done++;
      }
    }),
  );
  return summary;
}
