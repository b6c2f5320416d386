import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "./apiError";
import { DEFAULT_LATE_MS, type Faults } from "./faults";
import { requestId } from "./ids";
import type { RateLimitEnforcer } from "./rateLimitEnforcer";
import { RawJson, type Router } from "./router";
import type { StatsCounter } from "./stats";

/** Where the emulated API lives on the server, as on console.neon.tech. */
export const API_PREFIX = "/api/v2";
const MAX_BODY_BYTES = 1 << 20;

/** The test-and-bench control routes under `/__emulator/` (also reachable under /api/v2). */
export type AdminHandler = (
  method: string,
  path: string,
  body: unknown,
) => { status: number; body: unknown } | undefined;

/** Everything the request pipeline needs. */
export interface Pipeline {
  router: Router;
  stats: StatsCounter;
  limiter: RateLimitEnforcer;
  faults: Faults;
  /** When set, the only Bearer key accepted; otherwise any non-empty key is. */
  apiKey?: string;
  admin: AdminHandler;
}

function send(
  res: ServerResponse,
  id: string,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const json = body instanceof RawJson ? body.json : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(json),
    "x-neon-ret-request-id": id,
    ...headers,
  });
  res.end(json);
}

function sendError(res: ServerResponse, id: string, err: ApiError, headers?: Record<string, string>): void {
  send(res, id, err.status, { code: err.code, message: err.message, request_id: id }, headers);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  req.setEncoding("utf8");
  let text = "";
  for await (const chunk of req as AsyncIterable<string>) {
    text += chunk;
    if (text.length > MAX_BODY_BYTES) throw new ApiError(413, "PAYLOAD_TOO_LARGE", "request body is larger than 1 MiB");
  }
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "BAD_REQUEST", "request body is not valid JSON");
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The bearer key of a request, or undefined when there is none. */
function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header?.startsWith("Bearer ")) return undefined;
  const key = header.slice(7).trim();
  return key === "" ? undefined : key;
}

/**
 * The request pipeline, in Neon's order as far as a client can tell: latency, injected 503 (before doing
 * anything), API key, route, rate limit, handler; an injected drop commits the handler's change first and
 * then cuts the connection without an answer; an injected late change is answered 504 and lands afterwards.
 */
export function createRequestListener(p: Pipeline): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(p, req, res).catch((err: unknown) => {
      if (!res.headersSent)
        send(res, requestId(), 500, { code: "INTERNAL_ERROR", message: `emulator bug: ${(err as Error).message}` });
    });
  };
}

async function handle(p: Pipeline, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const id = requestId();
  const method = req.method ?? "GET";
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  let path = q < 0 ? url : url.slice(0, q);
  const adminAt = path.indexOf("/__emulator/");
  if (adminAt === 0 || (adminAt === API_PREFIX.length && path.startsWith(API_PREFIX))) {
    const answer = p.admin(
      method,
      path.slice(adminAt),
      method === "POST" ? await readJson(req).catch(() => undefined) : undefined,
    );
    if (answer) send(res, id, answer.status, answer.body);
    else sendError(res, id, new ApiError(404, "NOT_FOUND", `no emulator route ${method} ${path}`));
    return;
  }
  if (!path.startsWith(API_PREFIX)) {
    sendError(res, id, new ApiError(404, "NOT_FOUND", `the API lives under ${API_PREFIX}`));
    return;
  }
  path = path.slice(API_PREFIX.length);
  const match = p.router.match(method, path);
  p.stats.count(match?.key);
  if (p.faults.latencyMs) await sleep(p.faults.latencyMs);
  if (p.faults.http503 && Math.random() < p.faults.http503) {
    sendError(
      res,
      id,
      new ApiError(503, "SERVICE_UNAVAILABLE", "service temporarily unavailable (injected fault); retry later"),
    );
    return;
  }
  const key = bearer(req);
  if (key === undefined || (p.apiKey !== undefined && key !== p.apiKey)) {
    sendError(
      res,
      id,
      new ApiError(401, "UNAUTHORIZED", "authentication required: send Authorization: Bearer <API key>"),
    );
    return;
  }
  if (!match) {
    sendError(res, id, new ApiError(404, "NOT_FOUND", `no route ${method} ${path}`));
    return;
  }
  const wait = p.limiter.acquire(key, match.key, Date.now());
  if (wait > 0) {
    p.stats.countRateLimited();
    sendError(
      res,
      id,
      new ApiError(429, "TOO_MANY_REQUESTS", "rate limit exceeded; retry after the Retry-After delay"),
      {
        "retry-after": String(Math.max(1, Math.ceil(wait))),
      },
    );
    return;
  }
  try {
    const body = method === "GET" || method === "DELETE" ? undefined : await readJson(req);
    const query = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
    if (method !== "GET" && p.faults.late && Math.random() < p.faults.late) {
      const late = new ApiError(504, "GATEWAY_TIMEOUT", "gateway timeout (injected fault); the change may still land");
      sendError(res, id, late);
      // A late change that Neon then refuses (a 423, a limit) just does not land, as behind a real gateway.
      const request = { params: match.params, query, body, now: 0 };
      const land = () =>
        void Promise.resolve()
          .then(() => match.route.handle({ ...request, now: Date.now() }))
          .catch(() => undefined);
      setTimeout(land, p.faults.lateMs ?? DEFAULT_LATE_MS).unref();
      return;
    }
    const reply = await match.route.handle({ params: match.params, query, body, now: Date.now() });
    if (p.faults.drop && Math.random() < p.faults.drop) {
      req.socket.destroy();
      return;
    }
    send(res, id, reply.status, reply.body);
  } catch (err) {
    if (err instanceof ApiError) sendError(res, id, err);
    else throw err;
  }
}
