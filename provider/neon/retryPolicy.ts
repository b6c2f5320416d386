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
  | { kind: "fail" };

/** Statuses where Neon did nothing and says so: repeating is always safe. */
const rejectedUntouched = new Set([423, 429]);
/** Gateway failures: the request may have reached Neon's control plane before the failure. */
const gatewayFailures = new Set([502, 503, 504]);
/** Network codes where the host is simply not there: a few quick retries cover a restart, no more. */
const unreachable = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

const baseDelayMs = 200;
const maxDelayMs = 8_000;
/** 423 lasts as long as the project's running operation, usually a second or two: poll it gently. */
const lockedMaxDelayMs = 2_000;

/**
 * Decides what to do after attempt number `attempt` (1-based) failed.
 * @param maxAttempts attempts allowed per call
 */
export function judgeFailure(failure: AttemptFailure, attempt: number, maxAttempts: number, now = Date.now()): RetryVerdict {
  const { status, code } = failure;
  // Waiting out a rate limit or a lock is progress, not a fault: it gets a larger budget than real failures.
  const budget = status !== undefined && rejectedUntouched.has(status) ? maxAttempts * 3 : maxAttempts;
  if (attempt >= budget) return { kind: "fail" };
  if (status === 429) return { kind: "retry", delayMs: retryAfterMs(failure.retryAfter, now) ?? backoff(attempt, maxDelayMs), rateLimited: true };
  if (status !== undefined && rejectedUntouched.has(status)) return { kind: "retry", delayMs: backoff(attempt, lockedMaxDelayMs), rateLimited: false };
  if (status !== undefined && gatewayFailures.has(status)) return { kind: "ambiguous", delayMs: retryAfterMs(failure.retryAfter, now) ?? backoff(attempt, maxDelayMs) };
  if (status !== undefined) return { kind: "fail" };
  if (code !== undefined && unreachable.has(code)) return attempt < 3 ? { kind: "retry", delayMs: backoff(attempt, 1_000), rateLimited: false } : { kind: "fail" };
  return { kind: "ambiguous", delayMs: backoff(attempt, maxDelayMs) };
}

/** Exponential backoff with "equal jitter": half fixed so retries do spread out, half random so callers desynchronise. */
export function backoff(attempt: number, capMs: number): number {
  const ceiling = Math.min(capMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** Retry-After as milliseconds from `now` (seconds or an HTTP date), plus jitter so waiters don't return in lockstep. */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (header === undefined || header.trim() === "") return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.max(0, ms) + Math.round(Math.random() * 100);
}
