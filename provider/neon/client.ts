import { setTimeout as sleep } from "node:timers/promises";
import {
  type AnnotationsMapResponse,
  ConsumptionHistoryGranularity,
  EndpointType,
  type Branch,
  type BranchOperations,
  type BranchesResponse,
  type ConnectionURIResponse,
  type ConsumptionHistoryPerProject,
  type ConsumptionHistoryPerProjectResponse,
  type Endpoint,
  type EndpointOperations,
  type EndpointsResponse,
  type Operation,
  type EndpointUpdateRequest,
  type OperationsResponse,
  type PaginationResponse,
  type Project,
  type ProjectCreateRequest,
  type ProjectListItem,
  type ProjectResponse,
  type ProjectUpdateRequest,
} from "@neondatabase/api-client";
import { FleetError, NeonApiError } from "../errors";
import { isNotFound } from "./apiErrors";
import type { RateLimiter } from "./limiter";
import { OperationWaiter } from "./operations";
import { ProjectDirectory } from "./projectDirectory";
import { ProjectQueue } from "./projectQueue";
import { backoff } from "./retryPolicy";
import { transferProjects, type TransferOutcome } from "./transfers";
import type { NeonTuning } from "./tuning";
import { AmbiguousCallError, type CallCounters, type Transport } from "./transport";
import type {
  AnnotatedBranches,
  BranchSpec,
  CallContext,
  CreatedBranch,
  CreatedProject,
  ListOptions,
  NeonClient,
} from "./types";

/** Neon's names for the role and database of a new project, used when the caller names none. */
const DEFAULT_ROLE = "neondb_owner";
const DEFAULT_DATABASE = "neondb";
/** The consumption API takes at most 100 project ids and returns at most 100 projects a page. */
const CONSUMPTION_BATCH = 100;
/** Metrics the usage report compares against quotas (data transfer comes along when Neon reports it). */
const CONSUMPTION_METRICS = [
  "active_time_seconds",
  "compute_time_seconds",
  "written_data_bytes",
  "synthetic_storage_size_bytes",
  "logical_size_bytes",
];

/** Longest pause between two lookups for an ambiguous create. */
const SETTLE_POLL_MAX_MS = 4_000;

/**
 * Whether a create also waits for the operations it started (`neon-fleet:waitForReady`). Off by default: Neon's
 * answer to `POST /projects` already holds the project, its endpoint and its connection strings, and a later
 * mutation of the project while those operations run gets a 423, which the retry policy waits out.
 */
export interface CreateReadiness {
  waitForReady: boolean;
}

/** The NeonClient of neon-fleet: one transport, one operation waiter and one project directory per connection. */
export class FleetNeonClient implements NeonClient {
  private readonly directory: ProjectDirectory;
  private readonly waiter: OperationWaiter;
  /** One mutation in flight per project: Neon answers 423 to a second one while the first's operations run. */
  private readonly queue = new ProjectQueue();
  /** Project id -> the operations of its last branch create that was not polled (see postBranch). */
  private readonly lastPipelined = new Map<string, Operation[]>();

  constructor(
    private readonly transport: Transport,
    private readonly consumptionLimiter: RateLimiter,
    private readonly callCounters: CallCounters,
    private readonly tuning: Pick<NeonTuning, "maxAttempts" | "operationTimeoutMs" | "createSettleMs">,
    /** Read at each create (the stack's configure may set it after the client was built). */
    private readonly readiness: CreateReadiness = { waitForReady: false },
  ) {
    this.directory = new ProjectDirectory(transport, transport.connection.orgId);
    this.waiter = new OperationWaiter(transport, tuning.operationTimeoutMs);
  }

  /**
   * Creates a project, never twice: after a create whose outcome is unknown it posts again only once lookups by
   * the exact name over a whole settle window ({@link NeonTuning.createSettleMs}) found nothing; a project that
   * turns up meanwhile is adopted. When a lookup itself fails, the tenant fails with "outcome unknown, rerun".
   */
  async createProject(body: ProjectCreateRequest["project"], ctx: CallContext): Promise<CreatedProject> {
    const name = body.name;
    if (!name)
      throw new FleetError("createProject needs a project name: the name is how an ambiguous create is found again");
    const org = body.org_id ?? this.transport.connection.orgId;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.postProject(body, ctx);
      } catch (err) {
        if (!(err instanceof AmbiguousCallError)) throw err;
        const found = await this.settle(err, `project ${name}`, () => this.directory.findLive(name, org, ctx));
        if (found) return this.describeAdopted(found, body, ctx);
        if (attempt >= this.tuning.maxAttempts) throw err;
      }
    }
  }

  findProjectByName(name: string, ctx: CallContext, orgId?: string): Promise<Project | undefined> {
    return this.directory.findProjectByName(name, ctx, orgId);
  }

  getProject(projectId: string, ctx: CallContext): Promise<Project | undefined> {
    return this.directory.getProject(projectId, ctx);
  }

  getProjectUncached(projectId: string, ctx: CallContext): Promise<Project | undefined> {
    return this.directory.fetch(projectId, ctx);
  }

  updateProject(projectId: string, patch: ProjectUpdateRequest["project"], ctx: CallContext): Promise<Project> {
    return this.queue.run(projectId, () => this.patchProject(projectId, patch, ctx));
  }

  private async patchProject(
    projectId: string,
    patch: ProjectUpdateRequest["project"],
    ctx: CallContext,
  ): Promise<Project> {
    const { project, operations } = await this.transport.call<ProjectResponse & OperationsResponse>({
      method: "PATCH",
      path: `/projects/${projectId}`,
      projectId,
      tenantId: ctx.tenantId,
      idempotent: true,
      send: (api) => api.updateProject(projectId, { project: patch }),
    });
    await this.waiter.wait(projectId, operations, ctx.tenantId);
    this.directory.cache.put(project);
    return project;
  }

  async deleteProject(projectId: string, ctx: CallContext): Promise<void> {
    try {
      await this.transport.call<ProjectResponse>({
        method: "DELETE",
        path: `/projects/${projectId}`,
        projectId,
        tenantId: ctx.tenantId,
        idempotent: true,
        send: (api) => api.deleteProject(projectId),
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.directory.cache.remove(projectId);
  }

  async listEndpoints(projectId: string, ctx: CallContext): Promise<Endpoint[]> {
    const { endpoints } = await this.transport.call<EndpointsResponse>({
      method: "GET",
      path: `/projects/${projectId}/endpoints`,
      projectId,
      tenantId: ctx.tenantId,
      idempotent: true,
      send: (api) => api.listProjectEndpoints(projectId),
    });
    return endpoints;
  }

  updateEndpoint(
    projectId: string,
    endpointId: string,
    patch: EndpointUpdateRequest["endpoint"],
    ctx: CallContext,
  ): Promise<Endpoint> {
    return this.queue.run(projectId, () => this.patchEndpoint(projectId, endpointId, patch, ctx));
  }

  private async patchEndpoint(
    projectId: string,
    endpointId: string,
    patch: EndpointUpdateRequest["endpoint"],
    ctx: CallContext,
  ): Promise<Endpoint> {
    const { endpoint, operations } = await this.transport.call<EndpointOperations>({
      method: "PATCH",
      path: `/projects/${projectId}/endpoints/${endpointId}`,
      projectId,
      tenantId: ctx.tenantId,
      idempotent: true,
      send: (api) => api.updateProjectEndpoint(projectId, endpointId, { endpoint: patch }),
    });
    await this.waiter.wait(projectId, operations, ctx.tenantId);
    return endpoint;
  }

  async listBranches(projectId: string, ctx: CallContext): Promise<Branch[]> {
    return (await this.listBranchesAnnotated(projectId, ctx)).branches;
  }

  async listBranchesAnnotated(projectId: string, ctx: CallContext): Promise<AnnotatedBranches> {
    const { branches, annotations } = await this.transport.call<BranchesResponse & Partial<AnnotationsMapResponse>>({
      method: "GET",
      path: `/projects/${projectId}/branches`,
      projectId,
      tenantId: ctx.tenantId,
      idempotent: true,
      send: (api) => api.listProjectBranches({ projectId }),
    });
    const values = Object.entries(annotations ?? {}).map(([id, annotation]) => [id, annotation.value] as const);
    return { branches, annotations: Object.fromEntries(values) };
  }

  async createBranch(projectId: string, spec: BranchSpec, ctx: CallContext): Promise<CreatedBranch> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.queue.run(projectId, () => this.postBranch(projectId, spec, ctx));
      } catch (err) {
        if (!(err instanceof AmbiguousCallError)) throw err;
        const lookup = async () => (await this.listBranches(projectId, ctx)).find((b) => b.name === spec.name);
        const found = await this.settle(err, `branch ${spec.name}`, lookup);
        if (found) return this.describeBranch(projectId, found, ctx);
        if (attempt >= this.tuning.maxAttempts) throw err;
      }
    }
  }

  updateBranch(
    projectId: string,
    branchId: string,
    patch: { name?: string; expiresAt?: string | null },
    ctx: CallContext,
  ): Promise<Branch> {
    return this.queue.run(projectId, () => this.patchBranch(projectId, branchId, patch, ctx));
  }

  private async patchBranch(
    projectId: string,
    branchId: string,
    patch: { name?: string; expiresAt?: string | null },
    ctx: CallContext,
  ): Promise<Branch> {
    const { branch, operations } = await this.transport.call<BranchOperations>({
      method: "PATCH",
      path: `/projects/${projectId}/branches/${branchId}`,
      projectId,
      tenantId: ctx.tenantId,
      idempotent: true,
      send: (api) =>
        api.updateProjectBranch(projectId, branchId, { branch: { name: patch.name, expires_at: patch.expiresAt } }),
    });
    await this.waiter.wait(projectId, operations, ctx.tenantId);
    return branch;
  }

  deleteBranch(projectId: string, branchId: string, ctx: CallContext): Promise<void> {
    return this.queue.run(projectId, () => this.removeBranch(projectId, branchId, ctx));
  }

  private async removeBranch(projectId: string, branchId: string, ctx: CallContext): Promise<void> {
    try {
      const { operations } = await this.transport.call<BranchOperations>({
        method: "DELETE",
        path: `/projects/${projectId}/branches/${branchId}`,
        projectId,
        tenantId: ctx.tenantId,
        idempotent: true,
        send: (api) => api.deleteProjectBranch({ projectId, branchId }),
      });
      await this.waiter.wait(projectId, operations, ctx.tenantId);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  restoreBranch(projectId: string, branchId: string, sourceBranchId: string, ctx: CallContext): Promise<Branch> {
    return this.queue.run(projectId, () => this.resetBranch(projectId, branchId, sourceBranchId, ctx));
  }

  private async resetBranch(
    projectId: string,
    branchId: string,
    sourceBranchId: string,
    ctx: CallContext,
  ): Promise<Branch> {
    const { branch, operations } = await this.transport.call<BranchOperations>({
      method: "POST",
      path: `/projects/${projectId}/branches/${branchId}/restore`,
      projectId,
      tenantId: ctx.tenantId,
      // Repeating a reset to the parent's latest state lands in the same state: safe after an ambiguous failure.
      idempotent: true,
      send: (api) => api.restoreProjectBranch(projectId, branchId, { source_branch_id: sourceBranchId }),
    });
    await this.waiter.wait(projectId, operations, ctx.tenantId);
    return branch;
  }

  async restoreBranchToTime(
    projectId: string,
    branchId: string,
    point: { timestamp: string; preserveUnderName: string },
    ctx: CallContext,
  ): Promise<Branch> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.queue.run(projectId, () => this.restoreToTime(projectId, branchId, point, ctx));
      } catch (err) {
        if (!(err instanceof AmbiguousCallError) || attempt >= this.tuning.maxAttempts) throw err;
        await sleep(backoff(attempt, 4_000));
        const branches = await this.listBranches(projectId, ctx);
        const restored = branches.find((b) => b.id === branchId);
        if (restored && branches.some((b) => b.name === point.preserveUnderName)) return restored;
      }
    }
  }

  private async restoreToTime(
    projectId: string,
    branchId: string,
    point: { timestamp: string; preserveUnderName: string },
    ctx: CallContext,
  ): Promise<Branch> {
    const { branch, operations } = await this.transport.call<BranchOperations>({
      method: "POST",
      path: `/projects/${projectId}/branches/${branchId}/restore`,
      projectId,
      tenantId: ctx.tenantId,
      // A second restore to the same time would preserve the already restored state over the backup name.
      idempotent: false,
      send: (api) =>
        api.restoreProjectBranch(projectId, branchId, {
          source_branch_id: branchId,
          source_timestamp: point.timestamp,
          preserve_under_name: point.preserveUnderName,
        }),
    });
    await this.waiter.wait(projectId, operations, ctx.tenantId);
    return branch;
  }

  async connectionUri(
    projectId: string,
    options: { branchId?: string; pooled: boolean; roleName?: string; databaseName?: string },
    ctx: CallContext,
  ): Promise<string> {
    const { uri } = await this.transport.call<ConnectionURIResponse>({
      method: "GET",
      path: `/projects/${projectId}/connection_uri`,
      projectId,
      tenantId: ctx.tenantId,
      idempotent: true,
      send: (api) =>
        api.getConnectionUri({
          projectId,
          branch_id: options.branchId,
          pooled: options.pooled,
          role_name: options.roleName ?? DEFAULT_ROLE,
          database_name: options.databaseName ?? DEFAULT_DATABASE,
        }),
    });
    return uri;
  }

  transferProjects(move: { source: string; destination: string; projectIds: string[] }): Promise<TransferOutcome> {
    return transferProjects(this.transport, this.directory.cache, (id) => this.directory.fetch(id, {}), move);
  }

  listProjects(options?: ListOptions): AsyncIterable<ProjectListItem> {
    return this.directory.listProjects(options);
  }

  async *consumption(projectIds: string[], from: string, to: string): AsyncIterable<ConsumptionHistoryPerProject> {
    for (let start = 0; start < projectIds.length; start += CONSUMPTION_BATCH) {
      const batch = projectIds.slice(start, start + CONSUMPTION_BATCH);
      for (let cursor: string | undefined, more = true; more; ) {
        const page = await this.transport.call<ConsumptionHistoryPerProjectResponse & PaginationResponse>({
          method: "GET",
          path: "/consumption_history/projects",
          idempotent: true,
          extraLimiters: [this.consumptionLimiter],
          send: (api) =>
            api.getConsumptionHistoryPerProject({
              project_ids: batch,
              from,
              to,
              granularity: ConsumptionHistoryGranularity.Daily,
              limit: CONSUMPTION_BATCH,
              cursor,
              metrics: CONSUMPTION_METRICS,
              org_id: this.transport.connection.orgId,
            }),
        });
        yield* page.projects;
        cursor = page.pagination?.cursor;
        more = page.projects.length === CONSUMPTION_BATCH && cursor !== undefined;
      }
    }
  }

  counters(): CallCounters {
    return { ...this.callCounters };
  }

  /**
   * Resolves an ambiguous create: looks for the object at growing intervals until the settle window is over, since
   * Neon may still be finishing a create its gateway gave up on (a lookup 200 ms after a 504 proves nothing).
   * Returns what turned up, or undefined when the last lookup, made after the whole window, found nothing.
   */
  private async settle<T>(
    ambiguous: AmbiguousCallError,
    what: string,
    lookup: () => Promise<T | undefined>,
  ): Promise<T | undefined> {
    const until = Date.now() + this.tuning.createSettleMs;
    for (let attempt = 1; ; attempt++) {
      const last = Date.now() >= until;
      if (!last) await sleep(Math.min(backoff(attempt, SETTLE_POLL_MAX_MS), Math.max(0, until - Date.now())));
      let found: T | undefined;
      try {
        found = await lookup();
      } catch (err) {
        throw new NeonApiError(
          ambiguous.context,
          `outcome unknown, rerun: ${what} may have been created (${ambiguous.problem}) ` +
            `and looking for it failed too (${(err as Error).message}); ` +
            "the next run adopts it by its name instead of creating another",
        );
      }
      if (found !== undefined || last) return found;
    }
  }

  private async postProject(body: ProjectCreateRequest["project"], ctx: CallContext): Promise<CreatedProject> {
    const created = await this.transport.call<
      ProjectResponse &
        OperationsResponse &
        EndpointsResponse & {
          branch: Branch;
          connection_uris: { connection_uri: string; connection_parameters: { pooler_host: string } }[];
        }
    >({
      method: "POST",
      path: "/projects",
      tenantId: ctx.tenantId,
      idempotent: false,
      send: (api) => api.createProject({ project: body }),
    });
    this.directory.cache.put(created.project);
    // One call per new tenant: the answer already holds everything the outputs need (see CreateReadiness).
    const settle = () => this.waiter.wait(created.project.id, created.operations, ctx.tenantId);
    // Without waiting, a later mutation of this project (rare: most new tenants need none) first waits for these
    // operations, instead of meeting a 423.
    if (this.readiness.waitForReady) await settle();
    else this.queue.settleBeforeNext(created.project.id, settle);
    const endpoint = created.endpoints.find((e) => e.type === EndpointType.ReadWrite) ?? created.endpoints[0];
    const details = created.connection_uris[0];
    return {
      project: created.project,
      defaultBranchId: created.branch.id,
      host: endpoint.host,
      connectionUri: details.connection_uri,
      pooledConnectionUri: withHost(details.connection_uri, details.connection_parameters.pooler_host),
      adopted: false,
    };
  }

  /** What createProject returns for a project it did not see created: read back from Neon. */
  private async describeAdopted(
    project: Project,
    body: ProjectCreateRequest["project"],
    ctx: CallContext,
  ): Promise<CreatedProject> {
    const branches = await this.listBranches(project.id, ctx);
    const main = branches.find((b) => b.default) ?? branches[0];
    const described = await this.describeBranch(
      project.id,
      main,
      ctx,
      body.branch?.role_name,
      body.branch?.database_name,
    );
    const pooledConnectionUri = await this.connectionUri(
      project.id,
      { branchId: main.id, pooled: true, roleName: body.branch?.role_name, databaseName: body.branch?.database_name },
      ctx,
    );
    return {
      project,
      defaultBranchId: main.id,
      host: described.host,
      connectionUri: described.connectionUri,
      pooledConnectionUri,
      adopted: true,
    };
  }

  /**
   * Sends the branch (with its read-write endpoint) in one request. When more mutations of the project wait in the
   * queue and this process has seen such operations settle, it does not poll: it holds the project for as long as
   * they take (Neon would answer the next mutation 423 before), so a series of branches costs one request each; a
   * 423 met by the next mutation lengthens that estimate. The last of a series polls, so the run ends settled.
   */
  private async postBranch(projectId: string, spec: BranchSpec, ctx: CallContext): Promise<CreatedBranch> {
    type Created = BranchOperations &
      EndpointsResponse & {
        connection_uris?: { connection_uri: string; connection_parameters?: { pooler_host?: string } }[];
      };
    const created = await this.transport.call<Created>({
      method: "POST",
      path: `/projects/${projectId}/branches`,
      projectId,
      tenantId: ctx.tenantId,
      idempotent: false,
      onRetry: (status) => {
        const previous = this.lastPipelined.get(projectId);
        if (status === 423 && previous) this.waiter.lengthen(previous);
      },
      send: (api) =>
        api.createProjectBranch(projectId, {
          branch: { name: spec.name, parent_id: spec.parentId, expires_at: spec.expiresAt },
          endpoints: [{ type: EndpointType.ReadWrite, ...spec.endpoint }],
          ...(spec.annotations === undefined ? {} : { annotation_value: spec.annotations }),
        }),
    });
    const expected = this.queue.queued(projectId) > 0 ? this.waiter.expectedMs(created.operations) : undefined;
    if (expected === undefined) {
      this.lastPipelined.delete(projectId);
      await this.waiter.wait(projectId, created.operations, ctx.tenantId);
    } else {
      this.lastPipelined.set(projectId, created.operations);
      await sleep(expected);
    }
    const details = created.connection_uris?.[0];
    const endpoint = created.endpoints[0];
    if (!details || !endpoint) return this.describeBranch(projectId, created.branch, ctx);
    const pooler = details.connection_parameters?.pooler_host;
    return {
      branch: created.branch,
      endpointId: endpoint.id,
      host: endpoint.host,
      connectionUri: details.connection_uri,
      ...(pooler ? { pooledConnectionUri: withHost(details.connection_uri, pooler) } : {}),
    };
  }

  /** A branch's read-write host and connection string, read back from Neon. */
  private async describeBranch(
    projectId: string,
    branch: Branch,
    ctx: CallContext,
    roleName?: string,
    databaseName?: string,
  ): Promise<CreatedBranch> {
    const endpoints = await this.listEndpoints(projectId, ctx);
    const endpoint = endpoints.find((e) => e.branch_id === branch.id && e.type === EndpointType.ReadWrite);
    if (!endpoint) {
      throw new FleetError(
        `branch ${branch.name} (${branch.id}) of project ${projectId} has no read-write endpoint: add one in the Neon console, then run again`,
      );
    }
    const connectionUri = await this.connectionUri(
      projectId,
      { branchId: branch.id, pooled: false, roleName, databaseName },
      ctx,
    );
    return { branch, endpointId: endpoint.id, host: endpoint.host, connectionUri };
  }
}

/** The connection string with its host swapped (Neon's pooled host differs only there). */
function withHost(uri: string, host: string): string {
  const url = new URL(uri);
  url.hostname = host;
  return url.toString();
}
