import type {
  Project,
  ProjectListItem,
  ProjectResponse,
  ProjectsResponse,
  PaginationResponse,
} from "@neondatabase/api-client";
import { isNotFound } from "./apiErrors";
import { ProjectCache } from "./projectCache";
import type { Transport } from "./transport";
import type { CallContext, ListOptions } from "./types";

/** Neon's largest page of projects. */
export const PAGE_SIZE = 400;
/** Reads answered by single GETs before the run starts paging through the account instead. */
const directReadsBeforeListing = 4;

type ProjectsPage = ProjectsResponse & PaginationResponse;

/**
 * Reads of projects. Single reads go straight to Neon until a run shows it reads many; then the account is paged
 * (one page per read asked for at most, so a small stack in a huge account never pays for the whole listing)
 * and reads are answered from the pages.
 */
export class ProjectDirectory {
  readonly cache = new ProjectCache();
  private coldReads = 0;
  private pagesFetched = 0;
  private nextCursor: string | undefined;
  private lister: Promise<void> | undefined;

  /**
   * @param orgId the organization listings and searches are scoped to (a personal key sees only personal
   *   projects without it); undefined lets Neon infer it from the key
   */
  constructor(
    private readonly transport: Transport,
    private readonly orgId: string | undefined,
  ) {}

  /** See NeonClient.getProject. */
  async getProject(projectId: string, ctx: CallContext): Promise<Project | undefined> {
    const known = this.cache.get(projectId);
    if (known !== "unknown") return known;
    this.coldReads++;
    if (!this.cache.complete && this.coldReads > directReadsBeforeListing) {
      const { seen, cancel } = this.cache.sighting(projectId);
      await Promise.race([seen, this.keepListing()]);
      cancel();
      const listed = this.cache.get(projectId);
      if (listed !== "unknown") return listed;
    }
    return this.fetch(projectId, ctx);
  }

  /** See NeonClient.findProjectByName. */
  async findProjectByName(name: string, ctx: CallContext, orgId?: string): Promise<Project | undefined> {
    if (this.cache.complete) return this.namedIn(name, orgId);
    return this.findLive(name, orgId, ctx);
  }

  /** Asks Neon (not the cache) for the project named exactly `name`: the truth after an ambiguous create. */
  async findLive(name: string, orgId: string | undefined, ctx: CallContext): Promise<Project | undefined> {
    const matches: ProjectListItem[] = [];
    for (let cursor: string | undefined, more = true; more; ) {
      const page = await this.page(cursor, ctx, name, orgId);
      matches.push(...page.projects.filter((p) => p.name === name));
      cursor = page.pagination?.cursor;
      more = page.projects.length === PAGE_SIZE && cursor !== undefined;
    }
    for (const match of matches) this.cache.put(match);
    return this.namedIn(name, orgId);
  }

  /**
   * The oldest cached project named `name` in `orgId` (else the connection's organization, else any): the cache
   * holds every organization's pages, and a same-named project of another organization is never the one asked for.
   */
  private namedIn(name: string, orgId: string | undefined): Project | undefined {
    const scope = orgId ?? this.orgId;
    return this.cache.named(name).find((p) => scope === undefined || p.org_id === scope);
  }

  /** See NeonClient.listProjects. */
  async *listProjects(options: ListOptions = {}): AsyncIterable<ProjectListItem> {
    const caching = options.cache ?? true;
    for (let cursor: string | undefined, more = true; more; ) {
      const page = await this.page(cursor, {}, undefined, options.orgId);
      if (caching) for (const project of page.projects) this.cache.put(project);
      yield* page.projects;
      yield* await this.readUnavailable(page, caching);
      cursor = page.pagination?.cursor;
      more = page.projects.length === PAGE_SIZE && cursor !== undefined;
    }
    if (caching) this.cache.complete = true;
  }

  /** A single GET; 404 means the project does not exist (remembered for the run). */
  async fetch(projectId: string, ctx: CallContext, caching = true): Promise<Project | undefined> {
    try {
      const { project } = await this.transport.call<ProjectResponse>({
        method: "GET",
        path: `/projects/${projectId}`,
        projectId,
        tenantId: ctx.tenantId,
        idempotent: true,
        send: (api) => api.getProject(projectId),
      });
      if (caching) this.cache.put(project);
      return project;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.cache.remove(projectId);
      return undefined;
    }
  }

  /** Runs the background listing while reads justify its pages; resolves when it stops (done or ahead of demand). */
  private keepListing(): Promise<void> {
    this.lister ??= (async () => {
      try {
        while (!this.cache.complete && this.pagesFetched < this.coldReads) {
          const page = await this.page(this.nextCursor, {});
          this.pagesFetched++;
          for (const project of page.projects) this.cache.put(project);
          await this.readUnavailable(page, true);
          this.nextCursor = page.pagination?.cursor;
          if (page.projects.length < PAGE_SIZE || this.nextCursor === undefined) this.cache.complete = true;
        }
      } finally {
        this.lister = undefined;
      }
    })();
    return this.lister;
  }

  /** Projects Neon could not include in a page are read one by one, as Neon asks. */
  private async readUnavailable(page: ProjectsPage, caching: boolean): Promise<ProjectListItem[]> {
    const found: ProjectListItem[] = [];
    for (const id of page.unavailable_project_ids ?? []) {
      const project = await this.fetch(id, {}, caching);
      if (project) found.push({ ...project, active_time: project.active_time_seconds });
    }
    return found;
  }

  private page(cursor: string | undefined, ctx: CallContext, search?: string, orgId?: string): Promise<ProjectsPage> {
    return this.transport.call<ProjectsPage>({
      method: "GET",
      path: "/projects",
      tenantId: ctx.tenantId,
      idempotent: true,
      send: (api) => api.listProjects({ limit: PAGE_SIZE, cursor, search, org_id: orgId ?? this.orgId }),
    });
  }
}
