import type { ProjectRecord } from "./model";
import type { Store } from "./store";

/**
 * Organizations as the emulator models them: the API key belongs to one default organization, which holds
 * every project created without an `org_id`; any other `org_id` a project names is an organization the key
 * is a member of too. Nothing else about organizations (members, billing) is modelled.
 */

/** The organization of the API key. */
export const DEFAULT_ORG_ID = "org-emulator-default";
/** Neon's plan name the emulated organizations report (its limits are the emulator's defaults). */
export const ORG_PLAN = "scale";

/** Whether `project` is listed under `orgId` (projects without an org belong to the default one). */
export function belongsToOrg(project: ProjectRecord, orgId: string): boolean {
  return (project.orgId ?? DEFAULT_ORG_ID) === orgId;
}

/** Live projects of `orgId`. */
export function projectsInOrg(store: Store, orgId: string): number {
  let count = 0;
  for (const project of store.projects.values()) if (belongsToOrg(project, orgId)) count++;
  return count;
}

/** The default organization, then every other org id a live project names, in first-seen order. */
export function knownOrgIds(store: Store): string[] {
  const ids = new Set<string>([DEFAULT_ORG_ID]);
  for (const project of store.projects.values()) if (project.orgId) ids.add(project.orgId);
  return [...ids];
}
