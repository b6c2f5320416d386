import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { NeonApiError } from "../../provider/errors";
import { createNeonClient } from "../../provider/neon";

/**
 * The emulator's operations always finish, so this story needs a Neon whose operation fails: a server that answers
 * a patch with a running operation and reports it `failed` when polled.
 */
function neonWithFailingOperation(): Promise<Server> {
  const operation = {
    id: "op-7",
    project_id: "quiet-snow-123",
    action: "apply_config",
    failures_count: 3,
    created_at: "2026-11-25T12:00:00Z",
    updated_at: "2026-11-25T12:00:00Z",
    total_duration_ms: 0,
  };
  const server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.setHeader("x-neon-ret-request-id", "req-42");
    if (req.method === "PATCH") {
      res.end(JSON.stringify({ endpoint: { id: "ep-1" }, operations: [{ ...operation, status: "running" }] }));
    } else {
      res.end(
        JSON.stringify({ operation: { ...operation, status: "failed", error: "compute failed to start\nstack..." } }),
      );
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

it("an operation that fails is an error naming the operation, its action and the project", async () => {
  const server = await neonWithFailingOperation();
  try {
    const { port } = server.address() as AddressInfo;
    const client = createNeonClient({ apiKey: "k", apiHost: `http://127.0.0.1:${port}/api/v2` });
    const failure = await client
      .updateEndpoint("quiet-snow-123", "ep-1", { suspend_timeout_seconds: 300 }, { tenantId: "acme" })
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(NeonApiError);
    expect((failure as NeonApiError).context).toMatchObject({
      operationId: "op-7",
      projectId: "quiet-snow-123",
      tenantId: "acme",
    });
    expect((failure as Error).message).toBe(
      "tenant acme: GET /projects/quiet-snow-123/operations/op-7 (operation op-7, project quiet-snow-123): operation apply_config op-7 on project quiet-snow-123 ended failed: compute failed to start: check the project in the Neon console, then run again",
    );
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
