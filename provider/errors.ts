/**
 * The typed errors of neon-fleet. Every error a user can cause or meet has a class here, carries the
 * context needed to act on it, and renders as one line: the CLI prints `message` and never a stack.
 */
import { redactUrlsIn } from "./redact";

/** Base of every error neon-fleet raises on purpose; anything else reaching the CLI is a bug. */
export class FleetError extends Error {
  /** Process exit code the CLI uses when this error ends a command. */
  readonly exitCode: number = 1;

  constructor(message: string) {
    // Credentials in a URL (an --api or NEON_API_HOST with user:password) never reach what users see or paste.
    super(redactUrlsIn(message));
    this.name = new.target.name;
  }
}

/** A bad flag or argument on the command line. */
export class UsageError extends FleetError {
  override readonly exitCode = 2;
}

/** One problem in one plan file, located at the offending YAML node. */
export class PlanError extends FleetError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly problem: string,
  ) {
    super(`${file}:${line}:${col}: ${problem}`);
  }
}

/** Every problem found in a plans directory; its message has one `FILE:LINE:COL: message` line per problem. */
export class PlanErrors extends FleetError {
  constructor(readonly errors: readonly PlanError[]) {
    super(errors.map((e) => e.message).join("\n"));
  }
}

/** Context of a failed Neon API call, as much as is known where it failed. */
export interface NeonCallContext {
  method: string;
  path: string;
  status?: number;
  /** Neon's `x-neon-ret-request-id` response header, quoted in support tickets. */
  requestId?: string;
  operationId?: string;
  projectId?: string;
  tenantId?: string;
}

/** A Neon API call that failed for good (after the retry policy gave up, or with a non-retryable status). */
export class NeonApiError extends FleetError {
  constructor(
    readonly context: NeonCallContext,
    readonly problem: string,
  ) {
    super(NeonApiError.render(context, problem));
  }

  /** Renders the context as `tenant acme: POST /projects -> 423 (request r-1, operation op-2): problem`. */
  static render(c: NeonCallContext, problem: string): string {
    const who = c.tenantId ? `tenant ${c.tenantId}: ` : "";
    const status = c.status === undefined ? "" : ` -> ${c.status}`;
    const ids = [
      c.requestId && `request ${c.requestId}`,
      c.operationId && `operation ${c.operationId}`,
      c.projectId && `project ${c.projectId}`,
    ]
      .filter(Boolean)
      .join(", ");
    return `${who}${c.method} ${c.path}${status}${ids ? ` (${ids})` : ""}: ${problem}`;
  }
}

/** A file given to `neon-fleet summarize` that cannot be read or is not a `pulumi preview --json` document. */
export class PreviewFileError extends FleetError {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file === "-" ? "stdin" : file}: ${problem}`);
  }
}

/** A plan value that is not a valid duration or size (`5x`, `10gb`); says which units are accepted. */
export class UnitError extends FleetError {
  constructor(
    readonly text: string,
    readonly kind: "duration" | "size",
    readonly expected: string,
  ) {
    super(`${JSON.stringify(text)} is not a ${kind}; use ${expected}`);
  }
}

/**
 * A plan change that would replace a tenant's Neon project without the stack's opt-in. Not thrown by the provider
 * (that would abort the whole run): its message is recorded on the tenant and shown as a warning and in summaries.
 */
export class ReplaceRefusedError extends FleetError {
  constructor(
    readonly tenantId: string,
    readonly changes: readonly { property: string; from: unknown; to: unknown }[],
    /**
     * The project the tenant's plan adopts (`adopt:`). neon-fleet did not create it, so the advice never offers to
     * replace it: a replace would leave it to `onRemove` (which may delete it) for an empty database.
     */
    readonly adopted?: string,
    /** The stack set `neon-fleet:allowReplace`: only `adopt:` stands in the way. */
    readonly allowed = false,
  ) {
    const what = changes
      .map((c) => `${c.property} ${JSON.stringify(c.from ?? null)} -> ${JSON.stringify(c.to ?? null)}`)
      .join(", ");
    const fix =
      adopted === undefined
        ? "revert the plan change, or allow it for one run with " +
          "`pulumi config set neon-fleet:allowReplace true`, `pulumi up`, `pulumi config rm neon-fleet:allowReplace`"
        : allowed
          ? `adopt: names project ${adopted}, and a replacement must never follow it back to the project it ` +
            "replaces; remove adopt: from the tenant's plan first (the project stays managed), or revert the plan change"
          : `revert the plan change (the tenant adopted project ${adopted}, and neon-fleet never replaces a project ` +
            "adopted with adopt:)";
    const refused = allowed ? "refused although neon-fleet:allowReplace is set" : "refused";
    super(
      `tenant ${tenantId}: changing ${what} needs a new Neon project (the tenant starts on an empty database); ` +
        `${refused}, the project is left as it is: ${fix}`,
    );
  }
}

/**
 * An `up` or `preview` that would remove more tenants from a stack than the brake allows (more than max(5, 10%) of
 * them) without the stack's opt-in. The brake's Check fails with it, which stops the run before any change.
 */
export class MassRemovalError extends FleetError {
  constructor(
    readonly removing: number,
    readonly tenants: number,
    readonly limit: number,
    readonly moving: number,
  ) {
    const moves =
      moving > 0 ? ` (${moving} more leave for other stacks, keeping their projects, and are not counted)` : "";
    super(
      `mass removal refused: this run would remove ${removing} of the stack's ${tenants} tenants from the plans, ` +
        `more than max(5, 10%) = ${limit}${moves}; nothing was changed. If that is intended, allow it for one run ` +
        "with `pulumi config set neon-fleet:allowMassRemoval true`, `pulumi up`, " +
        "`pulumi config rm neon-fleet:allowMassRemoval`",
    );
  }
}

/** A tenant (or dev branch) that cannot take over the existing Neon object its plan points at. */
export class AdoptionError extends FleetError {
  constructor(
    readonly subject: string,
    readonly problem: string,
  ) {
    super(`${subject}: ${problem}`);
  }
}

/**
 * A stack layout (`neon-fleet shards`) that leaves tenants to no stack or gives them to two, or a stack file whose
 * shard settings are invalid; one line per problem.
 */
export class ShardLayoutError extends FleetError {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}

/** A restore point the project's history no longer (or not yet) holds. */
export class RestoreOutsideHistoryError extends FleetError {
  constructor(
    readonly tenantId: string,
    readonly to: string,
    readonly window: { from: string; retention: string },
  ) {
    super(
      `tenant ${tenantId}: restore to ${to} is outside the project's history window ` +
        `(${window.retention}, from ${window.from} to now); ` +
        `pick a later time, or raise the tier's historyRetention (up to 30d) before the data you need ages out`,
    );
  }
}

/**
 * A tenant's schema migration that failed (rolled back), could not start (its database unreachable), or must not
 * run (an applied migration's file changed). The tenant stays at `version`, its last good one.
 */
export class MigrationError extends FleetError {
  constructor(
    readonly tenantId: string,
    readonly version: number,
    readonly problem: string,
    /** The migration that failed or was refused, when one did. */
    readonly migration?: { version: number; name: string },
  ) {
    super(`tenant ${tenantId}: ${problem}`);
  }
}

/** A tenant's project that Neon did not move to the organization its plan names; nothing else changed for it. */
export class TransferRefusedError extends FleetError {
  constructor(
    readonly tenantId: string,
    readonly projectId: string,
    readonly source: string,
    readonly destination: string,
    readonly problem: string,
  ) {
    super(`tenant ${tenantId}: moving project ${projectId} from ${source} to ${destination} was refused: ${problem}`);
  }
}
