import http from "node:http";
import type { AddressInfo } from "node:net";
import { createNeonClient } from "../../provider/neon";
import { inParallel, startRig } from "./emulatorClient";

describe("staying within Neon's rate limits", () => {
  it("a burst of parallel calls above Neon's limit is absorbed: every call succeeds after 429s", async () => {
    // Neon allows 5 a second on this route; the client, unaware, fires 30 at once.
    const rig = await startRig({ burstPerSecond: 5 }, { burstPerSecond: 500 });
    try {
      const { project } = await rig.client.createProject({ name: "tenant-burst" }, {});
      rig.emulator.resetStats();
      const results = await inParallel(
        Array.from({ length: 30 }, (_, i) => i),
        30,
        () => rig.client.listEndpoints(project.id, {}),
      );
      expect(results.every((endpoints) => endpoints.length === 1)).toBe(true);
      expect(rig.emulator.stats().rateLimited).toBeGreaterThan(0);
      expect(rig.client.counters().rateLimited).toBe(rig.emulator.stats().rateLimited);
    } finally {
      await rig.emulator.close();
    }
  });

  it("with the client's limiter set below Neon's rate, a normal load receives no 429 at all", async () => {
    const rig = await startRig(
      { ratePerMinute: 1_200, burstPerSecond: 20 },
      { ratePerMinute: 1_080, burstPerSecond: 15 },
    );
    try {
      const { project } = await rig.client.createProject({ name: "tenant-steady" }, {});
      rig.emulator.resetStats();
      await inParallel(
        Array.from({ length: 45 }, (_, i) => i),
        16,
        () => rig.client.listBranches(project.id, {}),
      );
      expect(rig.emulator.stats().requests.total).toBe(45);
      expect(rig.emulator.stats().rateLimited).toBe(0);
    } finally {
      await rig.emulator.close();
    }
  });

  it("a 429 asking to wait a day fails the call with one line instead of parking the run", async () => {
    let received = 0;
    const server = http.createServer((_req, res) => {
      received++;
      const headers = { "retry-after": "86400", "content-type": "application/json", "x-neon-ret-request-id": "r-day" };
      res.writeHead(429, headers);
      res.end(JSON.stringify({ code: "", message: "rate limit exceeded" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const apiHost = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2`;
      const client = createNeonClient({ apiKey: "k", apiHost });
      const failure = await client.listEndpoints("p-1", { tenantId: "acme" }).catch((err: Error) => err);
      expect((failure as Error).message).toBe(
        "tenant acme: GET /projects/p-1/endpoints -> 429 (request r-day, project p-1): " +
          "Neon asked to wait 1 day (Retry-After: 86400), longer than the 60 s neon-fleet waits: run again later",
      );
      expect(received).toBe(1);
    } finally {
      server.close();
    }
  });
});
