import { type Api, createApiClient } from "@neondatabase/api-client";
import type { AxiosResponse } from "axios";
import { type EmulatorOptions, type RunningEmulator, startEmulator } from "../../../emulator/index";
import { OpenApiContract } from "./openapi";

let contract: OpenApiContract | undefined;

/** The contract, built once per test file: parsing the document and compiling its schemas takes seconds. */
export function sharedContract(): OpenApiContract {
  contract ??= new OpenApiContract();
  return contract;
}

/** A real @neondatabase/api-client talking to an emulator, recording every answer for the contract check. */
export interface CheckedClient {
  api: Api<unknown>;
  /** Contract violations among the answers so far (each test expects none). */
  violations(): string[];
  /** `METHOD template` of every answered request, to show which routes a test exercised. */
  answered(): Set<string>;
}

interface Answer {
  method: string;
  path: string;
  status: number;
  data: unknown;
  requestId: unknown;
}

/**
 * A client of `emulator` with `apiKey` (null sends no Authorization header). Answers are checked when
 * `violations()` is called, not in flight, so checking never delays the calls a test makes.
 */
export function checkedClient(emulator: RunningEmulator, apiKey: string | null = "test-key"): CheckedClient {
  const api = createApiClient({ apiKey, baseURL: emulator.url });
  const answers: Answer[] = [];
  const record = (response: AxiosResponse) => {
    const url = new URL(api.instance.getUri(response.config));
    answers.push({
      method: (response.config.method ?? "get").toUpperCase(),
      path: url.pathname.replace(/^\/api\/v2/, ""),
      status: response.status,
      data: response.data,
      requestId: response.headers["x-neon-ret-request-id"],
    });
  };
  api.instance.interceptors.response.use(
    (response) => {
      record(response);
      return response;
    },
    (error: { response?: AxiosResponse }) => {
      if (error.response) record(error.response);
      return Promise.reject(error);
    },
  );
  return {
    api,
    violations: () =>
      answers.flatMap((a) => [
        ...sharedContract().check(a.method, a.path, a.status, a.data),
        ...(a.requestId ? [] : [`${a.method} ${a.path}: no x-neon-ret-request-id header`]),
      ]),
    answered: () => new Set(answers.map((a) => `${a.method} ${sharedContract().templateOf(a.method, a.path)}`)),
  };
}

/** Starts an emulator for a test: fast operations and no rate limit unless the test asks for them. */
export function startTestEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ opMs: 20, ratePerMinute: 1_000_000, burstPerSecond: 1_000_000, ...options });
}

/** The HTTP status of a failed client call (undefined when it succeeded or never got an answer). */
export async function statusOf(call: Promise<unknown>): Promise<number | undefined> {
  try {
    await call;
    return undefined;
  } catch (err) {
    return (err as { response?: AxiosResponse }).response?.status;
  }
}

/** The failed call's answer (status, error body, headers); throws when the call succeeded. */
export async function failureOf(call: Promise<unknown>): Promise<AxiosResponse<{ code: string; message: string }>> {
  try {
    await call;
  } catch (err) {
    const response = (err as { response?: AxiosResponse }).response;
    if (response) return response;
    throw err;
  }
  throw new Error("expected the call to fail");
}

/** Waits until every operation of the project is finished, polling the operations API as clients do. */
export async function settle(api: Api<unknown>, projectId: string): Promise<void> {
  for (;;) {
    const { data } = await api.listProjectOperations({ projectId, limit: 100 });
    if (data.operations.every((op) => op.status === "finished")) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Calls an `/__emulator/...` control route (stats, reset-stats, consumption). */
export async function control(
  emulator: RunningEmulator,
  method: "GET" | "POST",
  route: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${emulator.url.replace(/\/api\/v2$/, "")}/__emulator/${route}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}
