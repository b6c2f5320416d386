import { DEFAULT_REGION, REGION_LIST } from "../regions";
import type { Reply, Route } from "../router";
import { MAX_CU } from "../rules";
import type { World } from "../world";

/** The one user every API key of the emulator belongs to. */
const USER = { id: "emulator-user", email: "emulator@neon-fleet.invalid", name: "Emulator", lastName: "User" };
/** Neon's branch limit per project on the Scale plan, as `GET /users/me` reports it. */
const BRANCHES_LIMIT = 25;

/** The key's account: `GET /users/me` and the regions it can create projects in (`GET /regions`). */
export function accountRoutes(world: World): Route[] {
  return [
    { method: "GET", template: "/users/me", handle: () => currentUser(world) },
    { method: "GET", template: "/regions", handle: listRegions },
  ];
}

function currentUser(world: World): Reply {
  return {
    status: 200,
    body: {
      id: USER.id,
      email: USER.email,
      login: USER.email,
      name: USER.name,
      last_name: USER.lastName,
      image: "",
      active_seconds_limit: 0,
      projects_limit: world.projectLimit,
      branches_limit: BRANCHES_LIMIT,
      max_autoscaling_limit: MAX_CU,
      auth_accounts: [],
      plan: "scale",
    },
  };
}

function listRegions(): Reply {
  return {
    status: 200,
    body: {
      regions: REGION_LIST.map((r) => ({
        region_id: r.id,
        name: r.name,
        default: r.id === DEFAULT_REGION,
        geo_lat: r.geoLat,
        geo_long: r.geoLong,
      })),
    },
  };
}
