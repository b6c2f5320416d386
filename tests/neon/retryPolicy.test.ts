import { MAX_RETRY_AFTER_MS, judgeFailure, retryAfterMs } from "../../provider/neon/retryPolicy";

describe("the retry policy", () => {
  const now = Date.parse("2026-11-25T12:00:00Z");

  it("a 429 waits at least as long as Neon's Retry-After, in seconds or as a date", () => {
    const seconds = judgeFailure({ status: 429, retryAfter: "3" }, 1, 8, now);
    expect(seconds).toMatchObject({ kind: "retry", rateLimited: true });
    expect(seconds.kind === "retry" && seconds.delayMs).toBeGreaterThanOrEqual(3000);
    const date = judgeFailure({ status: 429, retryAfter: "Wed, 25 Nov 2026 12:00:05 GMT" }, 1, 8, now);
    expect(date.kind === "retry" && date.delayMs).toBeGreaterThanOrEqual(5000);
  });

  it("a locked project (423) and a rate limit get three times the attempts of a real failure", () => {
    expect(judgeFailure({ status: 423 }, 8, 8, now).kind).toBe("retry");
    expect(judgeFailure({ status: 423 }, 24, 8, now).kind).toBe("fail");
    expect(judgeFailure({ status: 503 }, 8, 8, now).kind).toBe("fail");
  });

  it("gateway errors and cut connections leave the outcome unknown; client errors are final", () => {
    expect(judgeFailure({ status: 503 }, 1, 8, now).kind).toBe("ambiguous");
    expect(judgeFailure({ code: "ECONNRESET" }, 1, 8, now).kind).toBe("ambiguous");
    expect(judgeFailure({ status: 500 }, 1, 8, now).kind).toBe("fail");
    expect(judgeFailure({ status: 401 }, 1, 8, now).kind).toBe("fail");
    expect(judgeFailure({ status: 404 }, 1, 8, now).kind).toBe("fail");
  });

  it("a host that refuses connections is retried briefly, then reported", () => {
    expect(judgeFailure({ code: "ECONNREFUSED" }, 1, 8, now).kind).toBe("retry");
    expect(judgeFailure({ code: "ECONNREFUSED" }, 3, 8, now).kind).toBe("fail");
  });

  it("a Retry-After over a minute, in seconds or as a date years ahead, fails at once saying how long Neon asked", () => {
    const day = judgeFailure({ status: 429, retryAfter: "86400" }, 1, 8, now);
    expect(day).toEqual({ kind: "fail", problem: expect.stringContaining("asked to wait 1 day (Retry-After: 86400)") });
    const years = judgeFailure({ status: 429, retryAfter: "Sun, 25 Nov 2029 12:00:00 GMT" }, 1, 8, now);
    expect(years).toEqual({
      kind: "fail",
      problem: expect.stringContaining("longer than the 60 s neon-fleet waits: run again"),
    });
    const gateway = judgeFailure({ status: 503, retryAfter: "3600" }, 1, 8, now);
    expect(gateway).toEqual({ kind: "fail", problem: expect.stringContaining("Neon asked to wait 1 hour") });
  });

  it("a Retry-After of exactly the cap is still waited out", () => {
    const verdict = judgeFailure({ status: 429, retryAfter: String(MAX_RETRY_AFTER_MS / 1000) }, 1, 8, now);
    expect(verdict.kind === "retry" && verdict.delayMs).toBeGreaterThanOrEqual(MAX_RETRY_AFTER_MS);
  });

  it("reads Retry-After as seconds or an HTTP date; a past date is no wait, an unreadable one is ignored", () => {
    expect(retryAfterMs(" 2 ", now)).toBeGreaterThanOrEqual(2000);
    expect(retryAfterMs("Wed, 25 Nov 2026 12:00:10 GMT", now)).toBeGreaterThanOrEqual(10_000);
    expect(retryAfterMs("Wed, 25 Nov 2026 11:00:00 GMT", now)).toBeLessThanOrEqual(100);
    expect(retryAfterMs("soon", now)).toBeUndefined();
  });
});
