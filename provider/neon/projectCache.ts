import type { Project, ProjectListItem } from "@neondatabase/api-client";

/**
 * The run's view of the account's projects: filled by listings and by our own mutations, so that reading
 * thousands of tenants costs a few pages instead of one GET each. `complete` means a listing went to the end;
 * an id missing even then is still asked of Neon (it may be outside the listing's organization), once.
 */
export class ProjectCache {
  private readonly byId = new Map<string, Project>();
  private readonly idsByName = new Map<string, Set<string>>();
  /** Deleted in this run: a page fetched before the delete must not bring them back. */
  private readonly deleted = new Set<string>();
  private readonly sightings = new Map<string, (() => void)[]>();
  /** A listing reached its last page. */
  complete = false;

  /** The project, `undefined` if known not to exist, or `"unknown"` when only Neon can tell. */
  get(id: string): Project | undefined | "unknown" {
    return this.byId.get(id) ?? (this.deleted.has(id) ? undefined : "unknown");
  }

  /** Projects named exactly `name`, oldest first. */
  named(name: string): Project[] {
    return [...(this.idsByName.get(name) ?? [])]
      .map((id) => this.byId.get(id)!)
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
  }

  put(project: Project | ProjectListItem): void {
    if (this.deleted.has(project.id)) return;
    const full = "consumption_period_start" in project ? project : fromListItem(project);
    const previous = this.byId.get(full.id);
    if (previous && previous.name !== full.name) this.idsByName.get(previous.name)?.delete(full.id);
    this.byId.set(full.id, full);
    const ids = this.idsByName.get(full.name) ?? new Set<string>();
    ids.add(full.id);
    this.idsByName.set(full.name, ids);
    for (const notify of this.sightings.get(full.id) ?? []) notify();
    this.sightings.delete(full.id);
  }

  /** Records that the project is gone (deleted, or answered 404), so no later page or read brings it back. */
  remove(id: string): void {
    const project = this.byId.get(id);
    if (project) this.idsByName.get(project.name)?.delete(id);
    this.byId.delete(id);
    this.deleted.add(id);
  }

  /** Resolves when `id` is put; `cancel` drops the wait when something else answered first. */
  sighting(id: string): { seen: Promise<void>; cancel: () => void } {
    let notify!: () => void;
    const seen = new Promise<void>((resolve) => (notify = resolve));
    const waiting = this.sightings.get(id) ?? [];
    waiting.push(notify);
    this.sightings.set(id, waiting);
    const cancel = () => {
      const rest = (this.sightings.get(id) ?? []).filter((n) => n !== notify);
      if (rest.length > 0) this.sightings.set(id, rest);
      else this.sightings.delete(id);
    };
    return { seen, cancel };
  }
}

/**
 * A list item as a Project: settings, endpoint defaults, region and version are the same; usage counters a
 * listing does not carry read as 0 (readers of a fleet compare configuration, not usage).
 */
function fromListItem(item: ProjectListItem): Project {
  return {
    ...item,
    active_time_seconds: item.active_time,
    compute_time_seconds: item.cpu_used_sec,
    cpu_used_sec: item.cpu_used_sec,
    data_storage_bytes_hour: 0,
    data_transfer_bytes: 0,
    written_data_bytes: 0,
    history_retention_seconds: item.history_retention_seconds ?? 0,
    consumption_period_start: "",
    consumption_period_end: "",
  };
}
