import type {
  Branch,
  ConsumptionHistoryPerProject,
  Endpoint,
  EndpointUpdateRequest,
  Project,
  ProjectCreateRequest,
  ProjectListItem,
  ProjectUpdateRequest,
} from "@neondatabase/api-client";
import type { CallCounters } from "./transport";
import type { TransferOutcome } from "./transfers";

/** Who a call is made for, so errors can name the tenant. */
export interface CallContext {
  tenantId?: string;
}

/** A project ready for use, with what the TenantProject outputs need. */
export interface CreatedProject {
  project: Project;
  defaultBranchId: string;
  /** Host of the default branch's read-write endpoint. */
  host: string;
  connectionUri: string;
  pooledConnectionUri: string;
  /** True when the create failed ambiguously and the project was then found by its exact name. */
  adopted: boolean;
}

/** A branch to create with its read-write endpoint. */
export interface BranchSpec {
  name: string;
  parentId: string;
  expiresAt?: string;
  /** Neon's branch annotation (`annotation_value`, key -> text), returned by every listing of the branch. */
  annotations?: Record<string, string>;
  /** The endpoint's compute and suspend settings; absent = the project's `default_endpoint_settings`. */
  endpoint?: Pick<
    EndpointUpdateRequest["endpoint"],
    "autoscaling_limit_min_cu" | "autoscaling_limit_max_cu" | "suspend_timeout_seconds"
  >;
}

/** A project's branches and, for those that carry one, their annotation value (branch id -> key -> text). */
export interface AnnotatedBranches {
  branches: Branch[];
  annotations: Record<string, Record<string, string>>;
}

/** A branch created with its read-write endpoint. */
export interface CreatedBranch {
  branch: Branch;
  endpointId: string;
  host: string;
  connectionUri: string;
  /** Present when Neon's answer named the pooler host. */
  pooledConnectionUri?: string;
}

/** Options of a streamed project listing. */
export interface ListOptions {
  /** Keep the listed projects for the run's reads (default true); off for one-pass scans of huge accounts. */
  cache?: boolean;
  /** List this organization's projects instead of the connection's (a fleet's `org`). */
  orgId?: string;
}

/**
 * Everything neon-fleet asks of Neon. Mutations wait for their operations; reads of many projects come from
 * one paged listing per run; every call goes through the process limiter and retry policy.
 */
export interface NeonClient {
  /**
   * Creates a project and waits for its operations. Never blindly retried: after an ambiguous failure it looks
   * the project up by its exact name (so `body.name` is required) and continues with it (`adopted: true`).
   */
  createProject(body: ProjectCreateRequest["project"], ctx: CallContext): Promise<CreatedProject>;
  /**
   * The project with exactly this name (Neon's search is partial), oldest first if several; from the cache once a
   * listing completed it. Only projects of `orgId` (else of the connection's organization, else any) count.
   */
  findProjectByName(name: string, ctx: CallContext, orgId?: string): Promise<Project | undefined>;
  /**
   * The project, or undefined when it does not exist. Served from the run's listing when warm; many reads in one
   * run switch to the paged listing; ids no listing had are read one by one. A project served from a listing
   * carries only the usage counters a listing has (use getProjectUncached for this period's usage).
   */
  getProject(projectId: string, ctx: CallContext): Promise<Project | undefined>;
  /** Always asks Neon (never the cache): the full project with this period's usage counters, or undefined on 404. */
  getProjectUncached(projectId: string, ctx: CallContext): Promise<Project | undefined>;
  /** Patches the project and waits for its operations. */
  updateProject(projectId: string, patch: ProjectUpdateRequest["project"], ctx: CallContext): Promise<Project>;
  /** Deletes the project; a project that is already gone counts as deleted. */
  deleteProject(projectId: string, ctx: CallContext): Promise<void>;
  listEndpoints(projectId: string, ctx: CallContext): Promise<Endpoint[]>;
  /** Patches the endpoint and waits for its operations (mutations of one project run one at a time, in order). */
  updateEndpoint(
    projectId: string,
    endpointId: string,
    patch: EndpointUpdateRequest["endpoint"],
    ctx: CallContext,
  ): Promise<Endpoint>;
  listBranches(projectId: string, ctx: CallContext): Promise<Branch[]>;
  /** The project's branches with their annotations, in the same single call. */
  listBranchesAnnotated(projectId: string, ctx: CallContext): Promise<AnnotatedBranches>;
  /** Creates a branch with a read-write endpoint and waits; after an ambiguous failure finds it by exact name. */
  createBranch(projectId: string, branch: BranchSpec, ctx: CallContext): Promise<CreatedBranch>;
  /** Renames the branch or changes its expiry (null removes it); waits for its operations. */
  updateBranch(
    projectId: string,
    branchId: string,
    patch: { name?: string; expiresAt?: string | null },
    ctx: CallContext,
  ): Promise<Branch>;
  /** Deletes the branch; a branch that is already gone counts as deleted. */
  deleteBranch(projectId: string, branchId: string, ctx: CallContext): Promise<void>;
  /** Resets the branch to the latest state of `sourceBranchId` and waits. */
  restoreBranch(projectId: string, branchId: string, sourceBranchId: string, ctx: CallContext): Promise<Branch>;
  /**
   * Restores the branch to its own state at `timestamp` (RFC 3339), keeping its state before the restore on a new
   * branch `preserveUnderName`; the branch keeps its id and endpoint. Waits for the operations. Never blindly
   * retried: after an ambiguous failure it looks for the preserved branch, which exists once the restore landed.
   */
  restoreBranchToTime(
    projectId: string,
    branchId: string,
    point: { timestamp: string; preserveUnderName: string },
    ctx: CallContext,
  ): Promise<Branch>;
  /** A connection string (secret: never log it); role and database default to Neon's `neondb_owner` / `neondb`. */
  connectionUri(
    projectId: string,
    options: { branchId?: string; pooled: boolean; roleName?: string; databaseName?: string },
    ctx: CallContext,
  ): Promise<string>;
  /**
   * Moves projects to another organization in place (same ids, data and connection strings), in calls of at most
   * 400 ids. Never throws for what Neon refuses (a full destination, an integration, an organization key): each
   * refused project is in `refused` with Neon's words; the projects that fit are moved.
   */
  transferProjects(move: { source: string; destination: string; projectIds: string[] }): Promise<TransferOutcome>;
  /** Every project of the account, streamed page by page (400 a page); fills the run's cache unless told not to. */
  listProjects(options?: ListOptions): AsyncIterable<ProjectListItem>;
  /** Daily consumption of the projects between `from` and `to` (ISO times), in batches of 100, paged, under Neon's lower limit. */
  consumption(projectIds: string[], from: string, to: string): AsyncIterable<ConsumptionHistoryPerProject>;
  /** Requests sent, retries and 429s received by this process so far. */
  counters(): CallCounters;
}
