import type { Fleet } from "./types";

/**
 * The residency group whose regions include `region` (groups in plan order), or undefined when none does. The dev
 * project and imported projects have a region but no group of their own.
 */
export function residencyOf(fleet: Pick<Fleet, "residency">, region: string): string | undefined {
  return Object.entries(fleet.residency).find(([, regions]) => regions.includes(region))?.[0];
}
