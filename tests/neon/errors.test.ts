import { startEmulator } from "../../emulator";
import { FleetError, NeonApiError } from "../../provider/errors";
import { configureNeon, createNeonClient, neon } from "../../provider/neon";

describe("errors a fleet owner can act on", () => {
  it("a rejected API key fails with a NeonApiError that says to check NEON_API_KEY, with Neon's request id", async () => {
    const emulator = await startEmulator({ apiKey: "the-right-key" });
    try {
      const client = createNeonClient({ apiKey: "a-wrong-key", apiHost: emulator.url });
      const failure = await client.getProject("any-project-123", { tenantId: "acme" }).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(NeonApiError);
      const error = failure as NeonApiError;
      expect(error.context).toMatchObject({
        method: "GET",
        path: "/projects/any-project-123",
        status: 401,
        tenantId: "acme",
      });
      expect(error.context.requestId).toBeTruthy();
      expect(error.message).toContain("NEON_API_KEY");
      expect(error.message).not.toContain("a-wrong-key");
      expect(error.message.split("\n")).toHaveLength(1);
    } finally {
      await emulator.close();
    }
  });

  it("an unreachable host fails quickly with a one-line error naming the host", async () => {
    const emulator = await startEmulator();
    const url = emulator.url;
    await emulator.close();
    const client = createNeonClient({ apiKey: "k", apiHost: url });
    const failure = await client.listBranches("p-1", {}).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(NeonApiError);
    expect((failure as Error).message).toContain(`no answer from ${url}`);
    expect((failure as Error).message).toContain("NEON_API_HOST");
  });

  it("the process client refuses to start without a key and says how to set one", () => {
    const saved = process.env.NEON_API_KEY;
    delete process.env.NEON_API_KEY;
    try {
      expect(() => neon()).toThrow(FleetError);
      expect(() => neon()).toThrow(/NEON_API_KEY.*neon-fleet:apiKey/);
      configureNeon({ apiKey: "configured-key", apiHost: "http://127.0.0.1:9/api/v2" });
      expect(neon()).toBe(neon());
    } finally {
      if (saved !== undefined) process.env.NEON_API_KEY = saved;
    }
  });
});
