import type { CallContext, Project } from "../neon";
import { neon } from "./neonAccess";

/**
 * Finding a project by its deterministic name at create time. A create must adopt a project that already
 * carries the tenant's name (a retained tenant that comes back, a lost state) instead of making a
 * duplicate. Asking Neon per tenant would cost a search call per new tenant; instead the first create of a
 * provider process (one per Pulumi run) pages through the account once (400 projects a call), which
 * completes the client's run cache; from then on the client answers name lookups from that cache, which
 * it keeps current as this run creates and deletes projects.
 */
let listing: Promise<void> | undefined;

/** The project named exactly `name`, if the account has one. */
export async function projectNamed(name: string, ctx: CallContext): Promise<Project | undefined> {
  // A failed listing is not remembered: the next create of the run tries again.
  listing ??= listAccount().catch((err: unknown) => {
    listing = undefined;
    throw err;
  });
  await listing;
  return neon().findProjectByName(name, ctx);
}

async function listAccount(): Promise<void> {
  for await (const _project of neon().listProjects()) {
    // Listing fills the client's cache; the items themselves are not needed here.
  }
}
