import http from "node:http";
import type { AddressInfo } from "node:net";
import { createNeonClient } from "../../provider/neon";
import { inParallel, requests, startRig } from "./emulatorClient";

describe("creates that Neon finishes after its gateway gave up", () => {
  it("a POST /projects answered 504 whose create lands 1.5 s later is adopted, never posted again", async () => {
    const rig = await startRig({ opMs: 20, faults: { late: 1, lateMs: 1_500 } });
    try {
      const created = await rig.client.createProject({ name: "tenant-acme" }, { tenantId: "acme" });
      expect(created).toMatchObject({ adopted: true, project: { name: "tenant-acme" } });
      expect(requests(rig.emulator).byRoute["POST /projects"]).toBe(1);
      expect(rig.emulator.stats().projects).toBe(1);
    } finally {
      await rig.emulator.close();
    }
  });

  it("onboarding 12 tenants with half the creates landing late leaves exactly 12 projects: zero duplicates", async () => {
    const rig = await startRig({ opMs: 20, faults: { late: 0.5, lateMs: 1_500 } }, { createSettleMs: 5_000 });
    try {
      const names = Array.from({ length: 12 }, (_, i) => `tenant-t${i}`);
      const created = await inParallel(names, 12, (name) => rig.client.createProject({ name }, { tenantId: name }));
      expect(rig.emulator.stats().projects).toBe(12);
      expect(new Set(created.map((c) => c.project.id)).size).toBe(12);
      expect(created.some((c) => c.adopted)).toBe(true);
    } finally {
      await rig.emulator.close();
    }
  });

  it("when the lookup after an ambiguous create fails, the tenant fails 'outcome unknown, rerun' after one POST", async () => {
    const posts: string[] = [];
    const server = http.createServer((req, res) => {
      if (req.method === "POST") posts.push(req.url ?? "");
      const status = req.method === "POST" ? 504 : 500;
      res.writeHead(status, { "content-type": "application/json", "x-neon-ret-request-id": `r-${status}` });
      res.end(JSON.stringify({ code: "", message: status === 504 ? "gateway timeout" : "internal error" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const apiHost = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2`;
      const client = createNeonClient({ apiKey: "k", apiHost }, { createSettleMs: 300, maxAttempts: 2 });
      const failure = await client
        .createProject({ name: "tenant-acme" }, { tenantId: "acme" })
        .catch((err: Error) => err);
      const message = (failure as Error).message;
      expect(message).toMatch(
        /^tenant acme: POST \/projects -> 504 \(request r-504\): outcome unknown, rerun: project tenant-acme /,
      );
      expect(message).toMatch(/; the next run adopts it by its name instead of creating another$/);
      expect(posts).toEqual(["/api/v2/projects"]);
    } finally {
      server.close();
    }
  });
});
