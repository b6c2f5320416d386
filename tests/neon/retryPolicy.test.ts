import { judgeFailure } from "../../provider/neon/retryPolicy";

describe("the retry policy", () => {
  const now = Date.parse("2026-11-25T12:00:00Z");

  test("a 429 waits at least as long as Neon's Retry-After, in seconds or as a date", () => {
    const seconds = judgeFailure({ status: 429, retryAfter: "3" }, 1, 8, now);
    expect(seconds).toMatchObject({ kind: "retry", rateLimited: true });
    expect(seconds.kind === "retry" && seconds.delayMs).toBeGreaterThanOrEqual(3000);
    const date = judgeFailure({ status: 429, retryAfter: "Wed, 25 Nov 2026 12:00:05 GMT" }, 1, 8, now);
    expect(date.kind === "retry" && date.delayMs).toBeGreaterThanOrEqual(5000);
  });

  test("a locked project (423) and a rate limit get three times the attempts of a real failure", () => {
    expect(judgeFailure({ status: 423 }, 8, 8, now).kind).toBe("retry");
    expect(judgeFailure({ status: 423 }, 24, 8, now).kind).toBe("fail");
    expect(judgeFailure({ status: 503 }, 8, 8, now).kind).toBe("fail");
  });

  test("gateway errors and cut connections leave the outcome unknown; client errors are final", () => {
    expect(judgeFailure({ status: 503 }, 1, 8, now).kind).toBe("ambiguous");
    expect(judgeFailure({ code: "ECONNRESET" }, 1, 8, now).kind).toBe("ambiguous");
    expect(judgeFailure({ status: 500 }, 1, 8, now).kind).toBe("fail");
    expect(judgeFailure({ status: 401 }, 1, 8, now).kind).toBe("fail");
    expect(judgeFailure({ status: 404 }, 1, 8, now).kind).toBe("fail");
  });

  test("a host that refuses connections is retried briefly, then reported", () => {
    expect(judgeFailure({ code: "ECONNREFUSED" }, 1, 8, now).kind).toBe("retry");
    expect(judgeFailure({ code: "ECONNREFUSED" }, 3, 8, now).kind).toBe("fail");
  });
});
