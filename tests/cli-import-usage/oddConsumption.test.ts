import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ConsumptionHistoryPerProject } from "@neondatabase/api-client";
import { usageOf } from "../../tools/usage/metrics";
import { FIXTURE_PLANS, neonFleet } from "./support";

const history = (value: unknown) => value as ConsumptionHistoryPerProject;
const frame = (figures: Record<string, unknown>) => ({
  timeframe_start: "2026-11-01T00:00:00Z",
  timeframe_end: "2026-11-02T00:00:00Z",
  ...figures,
});
const ASK_AGAIN = "run again later, or report it to Neon if it stays";

describe("usage on consumption answers that are not what Neon documents", () => {
  it("says in one line what was odd: no periods, a negative or inexact figure, 300,000 timeframes", () => {
    expect(() => usageOf(history({ project_id: "p-1" }))).toThrow(
      `Neon's consumption history for project p-1 is odd: periods is missing, not a list of billing periods; ${ASK_AGAIN}`,
    );
    const negative = { project_id: "p-1", periods: [{ consumption: [frame({ compute_time_seconds: -5 })] }] };
    expect(() => usageOf(history(negative))).toThrow(
      "is odd: periods[0].consumption[0].compute_time_seconds is negative (-5)",
    );
    const huge = { project_id: "p-1", periods: [{ consumption: [frame({ written_data_bytes: 1e300 })] }] };
    expect(() => usageOf(history(huge))).toThrow("consumption[0].written_data_bytes is too large to be exact (1e+300)");
    const frames = Array.from({ length: 300_000 }, () => frame({ logical_size_bytes: 1 }));
    const many = { project_id: "p-1", periods: [{ consumption: frames }] };
    expect(() => usageOf(history(many))).toThrow(
      "is odd: 300000 timeframes for one month (daily figures give about 31)",
    );
  });

  it("still adds up an ordinary history, absent and null figures left out", () => {
    const ordinary = {
      project_id: "p-1",
      periods: [
        {
          consumption: [
            frame({ compute_time_seconds: 10, logical_size_bytes: 7 }),
            frame({ compute_time_seconds: 5, logical_size_bytes: null }),
          ],
        },
      ],
    };
    expect(usageOf(history(ordinary))).toEqual({
      compute_time_seconds: 15,
      active_time_seconds: 0,
      written_data_bytes: 0,
      data_transfer_bytes: undefined,
      logical_size_bytes: 7,
    });
  });

  it("`neon-fleet usage` against such an answer ends with that one line, exit 1, no TypeError", async () => {
    const server = http.createServer((req, res) => {
      const body = req.url?.startsWith("/api/v2/consumption_history/projects")
        ? { projects: [{ project_id: "p-acme" }], pagination: {} }
        : { projects: [{ id: "p-acme", name: "tenant-acme", region_id: "aws-us-east-2" }], pagination: {} };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2`;
      const run = await neonFleet(["usage", FIXTURE_PLANS, "--api", api]);
      expect(run).toEqual({
        code: 1,
        stdout: "",
        stderr: `Neon's consumption history for project p-acme is odd: periods is missing, not a list of billing periods; ${ASK_AGAIN}\n`,
      });
    } finally {
      server.close();
    }
  });
});
