import type { BranchRecord, EndpointRecord, OperationRecord, ProjectRecord, State } from "./model";

/** How many serialized project views the store keeps for `GET /projects/{project_id}`. */
const PROJECT_JSON_CACHE_SIZE = 10_000;

/** One page of an ordered listing and the cursor to pass for the next one (absent on an empty page). */
export interface Page<T> {
  items: T[];
  cursor?: string;
}

/**
 * All emulated objects, with O(1) lookups by id and projects kept in creation order so list pages are
 * slices, not sorts. Every mutation goes through a method here so `changed` (persistence) sees it.
 */
export class Store {
  readonly projects = new Map<string, ProjectRecord>();
  readonly branches = new Map<string, BranchRecord>();
  readonly endpoints = new Map<string, EndpointRecord>();
  readonly operations = new Map<string, OperationRecord>();
  /** Branches with an `expires_at`, so the expiry sweep does not scan every branch. */
  readonly expiring = new Set<string>();
  /** Projects in creation order (ascending `seq`). */
  private readonly ordered: ProjectRecord[] = [];
  /** `seq` of deleted projects: a cursor naming a project deleted between two pages still resumes. */
  private readonly retiredSeq = new Map<string, number>();
  private nextSeq = 1;
  /**
   * Serialized project views with the month they were rendered in; dropped whenever the project changes.
   * Bounded (oldest out first) so a 300,000-project fleet does not keep a copy of every view.
   */
  private readonly projectJson = new Map<ProjectRecord, { month: string; json: string }>();

  constructor(private readonly changed: () => void = () => undefined) {}

  /** Number of live projects, as the project limit counts them. */
  get projectCount(): number {
    return this.projects.size;
  }

  /** Takes the next creation sequence number for a new project. */
  takeSeq(): number {
    return this.nextSeq++;
  }

  addProject(project: ProjectRecord): void {
    this.projects.set(project.id, project);
    this.ordered.push(project);
    this.changed();
  }

  /** Removes the project with every branch, endpoint and operation it owns. */
  deleteProject(project: ProjectRecord): void {
    for (const id of project.branchIds) {
      this.branches.delete(id);
      this.expiring.delete(id);
    }
    for (const id of project.endpointIds) this.endpoints.delete(id);
    for (const id of project.operationIds) this.operations.delete(id);
    this.projects.delete(project.id);
    this.projectJson.delete(project);
    const at = this.indexOfSeq(project.seq);
    if (this.ordered[at]?.id === project.id) this.ordered.splice(at, 1);
    this.retiredSeq.set(project.id, project.seq);
    this.changed();
  }

  addBranch(project: ProjectRecord, branch: BranchRecord): void {
    this.branches.set(branch.id, branch);
    project.branchIds.push(branch.id);
    this.trackExpiry(branch);
    this.changed();
  }

  deleteBranch(project: ProjectRecord, branch: BranchRecord): void {
    this.branches.delete(branch.id);
    this.expiring.delete(branch.id);
    project.branchIds = project.branchIds.filter((id) => id !== branch.id);
    const gone = project.endpointIds.filter((id) => this.endpoints.get(id)?.branchId === branch.id);
    for (const id of gone) this.endpoints.delete(id);
    project.endpointIds = project.endpointIds.filter((id) => !gone.includes(id));
    this.changed();
  }

  addEndpoint(project: ProjectRecord, endpoint: EndpointRecord): void {
    this.endpoints.set(endpoint.id, endpoint);
    project.endpointIds.push(endpoint.id);
    this.changed();
  }

  deleteEndpoint(project: ProjectRecord, endpoint: EndpointRecord): void {
    this.endpoints.delete(endpoint.id);
    project.endpointIds = project.endpointIds.filter((id) => id !== endpoint.id);
    this.changed();
  }

  addOperation(project: ProjectRecord, operation: OperationRecord): void {
    this.operations.set(operation.id, operation);
    project.operationIds.push(operation.id);
    this.changed();
  }

  /**
   * The project's view as JSON, rendered once per change: `GET /projects/{project_id}` is the hottest
   * route of a fleet run. `month` is the consumption period the view shows, so a new month re-renders.
   */
  cachedProjectJson(project: ProjectRecord, month: string, render: () => unknown): string {
    const cached = this.projectJson.get(project);
    if (cached && cached.month === month) return cached.json;
    const json = JSON.stringify(render());
    if (this.projectJson.size >= PROJECT_JSON_CACHE_SIZE)
      this.projectJson.delete(this.projectJson.keys().next().value as ProjectRecord);
    this.projectJson.set(project, { month, json });
    return json;
  }

  /** Records an in-place change of a project the caller already mutated. */
  projectChanged(project: ProjectRecord): void {
    this.projectJson.delete(project);
    this.changed();
  }

  /** Records an in-place change of a record the caller already mutated. */
  touch(branch?: BranchRecord): void {
    if (branch) this.trackExpiry(branch);
    this.changed();
  }

  /** Live projects after `cursor` (a project id from a previous page) in creation order. */
  pageProjects(cursor: string | undefined, limit: number, keep?: (p: ProjectRecord) => boolean): Page<ProjectRecord> {
    let at = 0;
    if (cursor !== undefined) {
      const seq = this.projects.get(cursor)?.seq ?? this.retiredSeq.get(cursor);
      if (seq === undefined) return { items: [] };
      at = this.indexOfSeq(seq + 1);
    }
    const items: ProjectRecord[] = [];
    for (; at < this.ordered.length && items.length < limit; at++) {
      const project = this.ordered[at];
      if (!keep || keep(project)) items.push(project);
    }
    return { items, cursor: items.length > 0 ? items[items.length - 1].id : undefined };
  }

  /** Live projects among `ids` after `cursor`, in creation order: a page without scanning every project. */
  pageAmong(ids: readonly string[], cursor: string | undefined, limit: number): Page<ProjectRecord> {
    const after =
      cursor === undefined ? 0 : (this.projects.get(cursor)?.seq ?? this.retiredSeq.get(cursor) ?? Infinity);
    const items = ids
      .map((id) => this.projects.get(id))
      .filter((p): p is ProjectRecord => p !== undefined && p.seq > after)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit);
    return { items, cursor: items.length > 0 ? items[items.length - 1].id : undefined };
  }

  /** The branches of a project in creation order. */
  branchesOf(project: ProjectRecord): BranchRecord[] {
    return project.branchIds.map((id) => this.branches.get(id)).filter((b): b is BranchRecord => b !== undefined);
  }

  /** The endpoints of a project (or of one of its branches) in creation order. */
  endpointsOf(project: ProjectRecord, branchId?: string): EndpointRecord[] {
    return project.endpointIds
      .map((id) => this.endpoints.get(id))
      .filter((e): e is EndpointRecord => e !== undefined && (branchId === undefined || e.branchId === branchId));
  }

  /** Everything, in a form `load` accepts back. */
  snapshot(): State {
    return {
      version: 1,
      nextSeq: this.nextSeq,
      projects: this.ordered,
      branches: [...this.branches.values()],
      endpoints: [...this.endpoints.values()],
      operations: [...this.operations.values()],
    };
  }

  /** Replaces the contents with a snapshot (the store must be empty). */
  load(state: State): void {
    this.nextSeq = state.nextSeq;
    const projects = [...state.projects].sort((a, b) => a.seq - b.seq);
    for (const p of projects) {
      this.projects.set(p.id, p);
      this.ordered.push(p);
    }
    for (const b of state.branches) {
      this.branches.set(b.id, b);
      this.trackExpiry(b);
    }
    for (const e of state.endpoints) this.endpoints.set(e.id, e);
    for (const o of state.operations) this.operations.set(o.id, o);
  }

  private trackExpiry(branch: BranchRecord): void {
    if (branch.expiresAt === undefined) this.expiring.delete(branch.id);
    else this.expiring.add(branch.id);
  }

  /** Index of the first project in `ordered` whose seq is >= `seq` (binary search). */
  private indexOfSeq(seq: number): number {
    let lo = 0;
    let hi = this.ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ordered[mid].seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
