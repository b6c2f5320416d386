/**
 * The one retry policy of the client layer: which failures are worth another attempt, and how long to wait.
 * A failure is described without axios so the policy stays a pure function that tests can reason about.
 */

/** What went wrong with one attempt. */
export interface AttemptFailure {
  /** HTTP status, absent when no response arrived (connection refused or cut, timeout). */
  status?: number;
  /** Node's error code for network failures (ECONNRESET, ECONNREFUSED, ECONNABORTED, ...). */
  code?: string;
  /** The Retry-After header, when the server sent one. */
  retryAfter?: string;
}

/** The policy's verdict on one failed attempt. */
export type RetryVerdict =
  | { kind: "retry"; delayMs: number; rateLimited: boolean }
  /** The request may or may not have taken effect: only safe to repeat for idempotent calls. */
  | { kind: "ambiguous"; delayMs: number }
  /** `problem`, when set, says why better than the status alone would (a wait Neon asked for that is too long). */
  | { kind: "fail"; problem?: string };

/** Statuses where Neon did nothing and says so: repeating is always safe. */
const rejectedUntouched = new Set([423, 429]);
/** Gateway failures: the request may have reached Neon's control plane before the failure. */
const gatewayFailures = new Set([502, 503, 504]);
/** Network codes where the host is simply not there: a few quick retries cover a restart, no more. */
const unreachable = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

const baseDelayMs = 200;
const maxDelayMs = 8_000;
/**
 * The longest Retry-After waited out. Neon's own limits reset within a minute; a longer ask (a day, a date years
 * ahead) is a broken answer or an account block, better reported than slept through with the run parked.
 */
export const MAX_RETRY_AFTER_MS = 60_000;
/** 423 lasts as long as the project's running operation, usually a second or two: poll it gently. */
const lockedMaxDelayMs = 2_000;

/**
 * Decides what to do after attempt number `attempt` (1-based) failed.
 * @param maxAttempts attempts allowed per call
 */
export function judgeFailure(
  failure: AttemptFailure,
  attempt: number,
  maxAttempts: number,
  now = Date.now(),
): RetryVerdict {
  const { status, code } = failure;
  // Waiting out a rate limit or a lock is progress, not a fault: it gets a larger budget than real failures.
  const budget = status !== undefined && rejectedUntouched.has(status) ? maxAttempts * 3 : maxAttempts;
  if (attempt >= budget) return { kind: "fail" };
  const asked = retryAfterMs(failure.retryAfter, now);
  const honoursRetryAfter = status === 429 || gatewayFailures.has(status ?? 0);
  if (honoursRetryAfter && asked !== undefined && asked > MAX_RETRY_AFTER_MS + RETRY_AFTER_JITTER_MS) {
    const ask = `Neon asked to wait ${waitText(asked)} (Retry-After: ${failure.retryAfter})`;
    const limit = `longer than the ${MAX_RETRY_AFTER_MS / 1000} s neon-fleet waits`;
    return { kind: "fail", problem: `${ask}, ${limit}: run again later` };
  }
  if (status === 429) return { kind: "retry", delayMs: asked ?? backoff(attempt, maxDelayMs), rateLimited: true };
  if (status !== undefined && rejectedUntouched.has(status))
    return { kind: "retry", delayMs: backoff(attempt, lockedMaxDelayMs), rateLimited: false };
  if (status !== undefined && gatewayFailures.has(status)) {
    return { kind: "ambiguous", delayMs: asked ?? backoff(attempt, maxDelayMs) };
  }
  if (status !== undefined) return { kind: "fail" };
  if (code !== undefined && unreachable.has(code))
    return attempt < 3 ? { kind: "retry", delayMs: backoff(attempt, 1_000), rateLimited: false } : { kind: "fail" };
  return { kind: "ambiguous", delayMs: backoff(attempt, maxDelayMs) };
}

/** Exponential backoff with "equal jitter": half fixed so retries do spread out, half random so callers desynchronise. */
export function backoff(attempt: number, capMs: number): number {
  const ceiling = Math.min(capMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** Random spread added to a Retry-After wait. */
const RETRY_AFTER_JITTER_MS = 100;

/**
 * Retry-After as milliseconds from `now`, plus jitter so waiters don't return in lockstep. Both forms of HTTP
 * allow: delay-seconds (`120`) and an HTTP date (`Wed, 21 Oct 2026 07:28:00 GMT`); a date in the past is no wait.
 */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (header === undefined || header.trim() === "") return undefined;
  const text = header.trim();
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.max(0, ms) + Math.round(Math.random() * RETRY_AFTER_JITTER_MS);
}

/** A wait in the largest whole unit that reads well: `86400 s` -> `1 day`. */
function waitText(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (seconds >= 86_400) return plural(Math.round(seconds / 86_400), "day");
  if (seconds >= 3_600) return plural(Math.round(seconds / 3_600), "hour");
  return `${seconds} s`;
}
