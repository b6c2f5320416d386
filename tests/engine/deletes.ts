/**
 * Deletes a set of resources the way the engine does: dependents before what they depend on (by
 * dependencies, parent, deletedWith and provider reference), independent ones in parallel within the
 * provider pool. retainOnDelete drops a resource from state without calling Delete; a resource whose
 * `deletedWith` target is deleted in the same run is not deleted on its own; protected ones fail (and,
 * as in step_executor.go cancelDueToError, never stop the others). A failed Delete cancels the rest unless
 * --continue-on-error. A resource left pending replacement by an interrupted delete-before-replace is
 * already deleted: it leaves the state without a Delete call (remove-pending-replace).
 */
import { DefaultProvider } from "./defaultProvider";
import { showState, type StepOp } from "./preview";
import { forProvider } from "./properties";
import type { ProviderHost } from "./providerHost";
import { abort, fail, ProtectedResourceError, type RunContext } from "./run";
import type { ResourceState } from "./state";

/** A resource to delete: removed from the program (`delete`) or replaced earlier (`delete-replaced`). */
export interface DeleteItem {
  state: ResourceState;
  op: Extract<StepOp, "delete" | "delete-replaced" | "remove-pending-replace">;
}

/** The URNs a resource's deletion must wait for: everything that refers to it must go first. */
function referencesOf(r: ResourceState): string[] {
  const refs = [...r.dependencies];
  if (r.parent) refs.push(r.parent);
  if (r.deletedWith) refs.push(r.deletedWith);
  if (r.provider) refs.push(r.provider.slice(0, r.provider.lastIndexOf("::")));
  return refs;
}

/** Runs every delete, dependents first; returns once all have finished or failed. */
export async function deleteInOrder(
  ctx: RunContext,
  provider: () => Promise<ProviderHost>,
  items: readonly DeleteItem[],
): Promise<void> {
  const byUrn = new Map<string, number[]>();
  for (const [i, item] of items.entries()) byUrn.set(item.state.urn, [...(byUrn.get(item.state.urn) ?? []), i]);
  const dependents: number[][] = items.map(() => []);
  items.forEach((item, i) => {
    for (const ref of referencesOf(item.state))
      for (const j of byUrn.get(ref) ?? []) if (j !== i) dependents[j].push(i);
  });
  ctx.progress.known += items.length;
  const runs = new Map<number, Promise<boolean>>();
  const run = (i: number): Promise<boolean> => {
    let p = runs.get(i);
    if (!p) {
      p = Promise.all(dependents[i].map(run)).then((ok) => {
        if (ctx.cancelled) return false;
        if (ok.every(Boolean)) return deleteOne(ctx, provider, items[i], byUrn);
        // Not a failure of its own: the dependent's failure is reported, this one simply stays.
        ctx.diagnostics.push({
          urn: items[i].state.urn,
          prefix: "warning: ",
          message: "not deleted because a resource that depends on it was not deleted",
          severity: "warning",
        });
        return false;
      });
      runs.set(i, p);
    }
    return p;
  };
  await Promise.all(items.map((_, i) => run(i)));
}

async function deleteOne(
  ctx: RunContext,
  provider: () => Promise<ProviderHost>,
  item: DeleteItem,
  deleting: ReadonlyMap<string, number[]>,
): Promise<boolean> {
  const r = item.state;
  const op = item.op === "delete" && r.pendingReplacement ? "remove-pending-replace" : item.op;
  try {
    if (r.protect && op === "delete") {
      fail(ctx, r.urn, new ProtectedResourceError(r.urn, "delete").message);
      return false;
    }
    const callsProvider =
      r.custom &&
      !DefaultProvider.isProviderType(r.type) &&
      !r.retainOnDelete &&
      !r.pendingReplacement &&
      !(r.deletedWith && deleting.has(r.deletedWith));
    if (!ctx.dryRun) {
      const host = callsProvider ? await provider() : undefined;
      const ran = await ctx.pool.run(async () => {
        if (ctx.cancelled) return false;
        ctx.live.beginStep(r);
        try {
          await host?.delete(r.urn, r.id ?? "", forProvider(r.outputs), forProvider(r.inputs));
          if (op === "delete-replaced") ctx.live.removePendingDelete(r);
          else ctx.live.remove(r.urn);
        } catch (e) {
          // Cancel before this slot frees, so that no queued delete starts.
          if (!ctx.continueOnError) ctx.cancel();
          throw e;
        } finally {
          ctx.live.endStep();
        }
        return true;
      });
      if (!ran) return false;
    }
    ctx.steps.push({ op, urn: r.urn, ...(r.provider ? { provider: r.provider } : {}), oldState: showState(r) });
    return true;
  } catch (e) {
    if (ctx.continueOnError) fail(ctx, r.urn, (e as Error).message);
    else abort(ctx, r.urn, (e as Error).message);
    return false;
  } finally {
    ctx.progress.done++;
  }
}
