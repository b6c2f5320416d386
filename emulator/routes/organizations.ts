import { notFound } from "../apiError";
import { DEFAULT_ORG_ID, knownOrgIds, ORG_PLAN } from "../organizations";
import type { Reply, RequestContext, Route } from "../router";
import type { World } from "../world";

/** When the emulated organizations say they were created: a fixed instant, so answers are reproducible. */
const ORG_CREATED_AT = "2026-01-01T00:00:00.000Z";

/** The key's organizations: `GET /users/me/organizations` and `GET /organizations/{org_id}`. */
export function organizationRoutes(world: World): Route[] {
  return [
    { method: "GET", template: "/users/me/organizations", handle: () => listOrganizations(world) },
    { method: "GET", template: "/organizations/{org_id}", handle: (ctx) => getOrganization(world, ctx) },
  ];
}

function organizationView(id: string) {
  return {
    id,
    name: id === DEFAULT_ORG_ID ? "Emulator" : id,
    handle: id,
    plan: ORG_PLAN,
    managed_by: "console",
    created_at: ORG_CREATED_AT,
    updated_at: ORG_CREATED_AT,
    require_mfa: false,
  };
}

function listOrganizations(world: World): Reply {
  return { status: 200, body: { organizations: knownOrgIds(world.store).map(organizationView) } };
}

function getOrganization(world: World, { params }: RequestContext): Reply {
  if (!knownOrgIds(world.store).includes(params.org_id)) throw notFound(`organization ${params.org_id}`);
  return { status: 200, body: organizationView(params.org_id) };
}
