import type { CallContext, Project } from "../neon";
import { neon } from "./neonAccess";

/**
 * Finding a project by its deterministic name at create time. A create must adopt a project that already
 * carries the tenant's name (a retained tenant that comes back, a lost state) instead of making a
 * duplicate. Asking Neon per tenant would cost a search call per new tenant; instead the first create of a
 * provider process (one per Pulumi run) pages through the tenant's organization once (400 projects a call),
 * which completes the client's run cache; from then on the client answers name lookups from that cache, which
 * it keeps current as this run creates and deletes projects.
 *
 * The lookup is scoped to the tenant's organization (its tier's `org`, else `fleet.org`): a project of the same
 * name in another organization belongs to someone else (another fleet with the same prefix, another team) and is
 * never taken over. Without an org the listing is the key's own (Neon scopes it to the key's organization).
 */
const listings = new Map<string, Promise<void>>();

/** The project named exactly `name` in organization `org` (the key's own when undefined), if there is one. */
export async function projectNamed(
  name: string,
  org: string | undefined,
  ctx: CallContext,
): Promise<Project | undefined> {
  const key = org ?? "";
  let listing = listings.get(key);
  if (!listing) {
    // A failed listing is not remembered: the next create of the run tries again.
    listing = listOrganization(org).catch((err: unknown) => {
      listings.delete(key);
      throw err;
    });
    listings.set(key, listing);
  }
  await listing;
  return neon().findProjectByName(name, ctx, org);
}

async function listOrganization(org: string | undefined): Promise<void> {
  for await (const _project of neon().listProjects(org === undefined ? {} : { orgId: org })) {
    // Listing fills the client's cache; the items themselves are not needed here.
  }
}
