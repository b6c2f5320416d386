import { NeonApiError, type NeonCallContext } from "../errors";
import { redactUrl } from "../redact";
import type { AttemptFailure } from "./retryPolicy";

/** The parts of an axios error the client layer reads; duck-typed so that nothing here depends on axios itself. */
interface HttpFailure {
  code?: string;
  message?: string;
  response?: { status: number; headers?: Record<string, unknown>; data?: unknown };
}

function asHttpFailure(err: unknown): HttpFailure {
  return typeof err === "object" && err !== null ? (err as HttpFailure) : { message: String(err) };
}

function header(failure: HttpFailure, name: string): string | undefined {
  const value = failure.response?.headers?.[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * True when a call through the client failed because Neon has no such object (404): the project, branch or
 * endpoint was deleted (outside, or earlier in this run). Reads the status, not the class, so it holds for an
 * error from another realm too.
 */
export function isNotFound(err: unknown): boolean {
  return (err as Partial<NeonApiError> | undefined)?.context?.status === 404;
}

/**
 * Awaits `call`, or gives `fallback` when Neon answers that the object is gone (404); any other failure is
 * thrown. For reads and deletes where "not there" is an answer, not an error.
 */
export async function orWhenGone<T, F>(call: Promise<T>, fallback: F): Promise<T | F> {
  try {
    return await call;
  } catch (err) {
    if (isNotFound(err)) return fallback;
    throw err;
  }
}

/** Describes a failed attempt for the retry policy. */
export function describeFailure(err: unknown): AttemptFailure {
  const failure = asHttpFailure(err);
  return { status: failure.response?.status, code: failure.code, retryAfter: header(failure, "retry-after") };
}

/** The HTTP status of a failed call, if a response arrived. */
export function statusOf(err: unknown): number | undefined {
  return asHttpFailure(err).response?.status;
}

/** Neon's request id from a failed call's response header (or its error body), for support tickets. */
export function requestIdOf(err: unknown): string | undefined {
  const failure = asHttpFailure(err);
  const body = failure.response?.data as { request_id?: unknown } | undefined;
  return (
    header(failure, "x-neon-ret-request-id") ?? (typeof body?.request_id === "string" ? body.request_id : undefined)
  );
}

/** Neon's own one-line explanation from a GeneralError body. */
function neonMessage(failure: HttpFailure): string | undefined {
  const body = failure.response?.data as { message?: unknown } | undefined;
  return typeof body?.message === "string" && body.message.trim() !== ""
    ? body.message.split("\n")[0].trim()
    : undefined;
}

/** What the user should do about a failure, by status: the part of the message that makes it actionable. */
function advice(failure: HttpFailure, apiHost: string): string {
  const status = failure.response?.status;
  const said = neonMessage(failure);
  const quoted = said ? `Neon says "${said}"; ` : "";
  switch (status) {
    case undefined:
      return `no answer from ${apiHost} (${failure.code ?? failure.message ?? "network error"}): check NEON_API_HOST or --api and the network`;
    case 401:
      return `${quoted}the API key was rejected: check NEON_API_KEY (or stack config neon-fleet:apiKey)`;
    case 403:
      return `${quoted}the API key may not do this: use a key of the organization that owns the fleet`;
    case 404:
      return `${quoted}not found: check the id (an adopt: id must name an existing project) or refresh the stack`;
    case 409:
      return `${quoted}conflicting change: retry once the other change is done`;
    case 422:
      return /limit/i.test(said ?? "")
        ? `${quoted}the Neon plan's project limit is reached: delete unused projects or move to a plan that allows more (Launch 100, Scale 1,000)`
        : `${quoted}Neon refused the request: fix the value it names in the plans`;
    case 423:
      return `${quoted}the project stayed locked by a running operation through every retry: run again later`;
    case 429:
      return `${quoted}still rate limited after every retry: lower NEON_FLEET_RATE / NEON_FLEET_BURST or run fewer stacks at once`;
    default:
      return status >= 500
        ? `${quoted}Neon failed (${status}) through every retry: run again later`
        : `${quoted}unexpected status ${status}`;
  }
}

/** Turns a failed call into the NeonApiError users see: context for support, then what to do. */
export function toNeonApiError(
  err: unknown,
  context: NeonCallContext,
  apiHost: string,
  problem?: string,
): NeonApiError {
  const failure = asHttpFailure(err);
  const known = { ...context, status: failure.response?.status, requestId: requestIdOf(err) };
  return new NeonApiError(known, problem ?? advice(failure, redactUrl(apiHost)));
}
