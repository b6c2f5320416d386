import http from "node:http";
import https from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import { createApiClient, type Api } from "@neondatabase/api-client";
import { NeonApiError, type NeonCallContext } from "../errors";
import { withoutCredentials } from "../redact";
import { describeFailure, toNeonApiError } from "./apiErrors";
import type { RateLimiter } from "./limiter";
import { judgeFailure } from "./retryPolicy";
import type { NeonTuning } from "./tuning";

/** Where and as whom to call Neon. */
export interface NeonConnection {
  /** A Neon API key; never logged, never stored. */
  apiKey: string;
  /** Base URL of the v2 API, like `http://127.0.0.1:4010/api/v2`; default `https://console.neon.tech/api/v2`. */
  apiHost: string;
  /** The organization listings and name searches are scoped to (the fleet's `org`); needed with personal keys. */
  orgId?: string;
}

/** What the process has spent on Neon so far: for benchmarks, tests and progress lines. */
export interface CallCounters {
  /** Requests sent, retries included. */
  calls: number;
  /** Requests sent again after a retryable failure. */
  retries: number;
  /** 429 responses received. */
  rateLimited: number;
  /** 423 responses received (a mutation sent while the project ran an operation). */
  locked: number;
}

/** One logical call: what it is (for errors), whether repeating it is safe, and how to send it. */
export interface CallSpec<T> {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  projectId?: string;
  tenantId?: string;
  /** False for creations: after an ambiguous failure the caller must look before it sends again. */
  idempotent: boolean;
  /** Told of each failed attempt that will be retried, with its HTTP status (423: the project was busy). */
  onRetry?: (status: number | undefined) => void;
  /** Limiters beyond the process-wide one, for routes Neon limits harder. */
  extraLimiters?: RateLimiter[];
  send(api: Api<unknown>): Promise<{ data: T }>;
}

/**
 * A non-idempotent call failed in a way that leaves its effect unknown (connection cut, timeout, 502/503/504).
 * Callers resolve it by looking the object up; when they can't, they throw it as the NeonApiError it is.
 */
export class AmbiguousCallError extends NeonApiError {}

/**
 * The single HTTP path to Neon: one axios instance with keep-alive sockets and our own timeout, every request
 * through the process limiter, every failure through the retry policy, every final failure a NeonApiError.
 */
export class Transport {
  private readonly api: Api<unknown>;

  constructor(
    readonly connection: NeonConnection,
    private readonly tuning: NeonTuning,
    private readonly limiter: RateLimiter,
    private readonly counters: CallCounters,
  ) {
    this.api = createApiClient({
      apiKey: connection.apiKey,
      // Neon authenticates by the Bearer key alone, and axios would replace it with Basic auth from user:password
      // in the URL (every call then 401): such credentials are dropped here, and redacted wherever the URL is shown.
      baseURL: withoutCredentials(connection.apiHost),
      timeout: tuning.requestTimeoutMs,
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 64 }),
      headers: { "User-Agent": "neon-fleet" },
    });
  }

  /** Sends the call until it succeeds or the retry policy gives up; returns the response body. */
  async call<T>(spec: CallSpec<T>): Promise<T> {
    const context: NeonCallContext = {
      method: spec.method,
      path: spec.path,
      projectId: spec.projectId,
      tenantId: spec.tenantId,
    };
    for (let attempt = 1; ; attempt++) {
      await this.limiter.acquire();
      for (const extra of spec.extraLimiters ?? []) await extra.acquire();
      this.counters.calls++;
      try {
        return (await spec.send(this.api)).data;
      } catch (err) {
        const failure = describeFailure(err);
        if (failure.status === 429) this.counters.rateLimited++;
        if (failure.status === 423) this.counters.locked++;
        const verdict = judgeFailure(failure, attempt, this.tuning.maxAttempts);
        if (verdict.kind === "fail") throw toNeonApiError(err, context, this.connection.apiHost, verdict.problem);
        if (verdict.kind === "ambiguous" && !spec.idempotent) {
          const known = toNeonApiError(err, context, this.connection.apiHost);
          throw new AmbiguousCallError(known.context, known.problem);
        }
        if (verdict.kind === "retry" && verdict.rateLimited) this.limiter.holdUntil(Date.now() + verdict.delayMs);
        this.counters.retries++;
        spec.onRetry?.(failure.status);
        await sleep(verdict.delayMs);
      }
    }
  }
}
