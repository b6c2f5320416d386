import { randomUUID } from "node:crypto";
import { badRequest } from "../apiError";
import type { ProjectRecord } from "../model";
import type { Reply, RequestContext, Route } from "../router";
import { intParam, listParam, requiredParam } from "./query";
import type { World } from "../world";

const GRANULARITIES = ["hourly", "daily", "monthly"];

function dateParam(query: URLSearchParams, name: string): number {
  const raw = requiredParam(query, name);
  const at = Date.parse(raw);
  if (Number.isNaN(at)) throw badRequest(`${name} ${raw} is not an RFC 3339 date-time`);
  return at;
}

/**
 * `GET /consumption_history/projects`: per project, one period holding one timeframe from `from` to `to`
 * with the usage last set through `POST /__emulator/consumption` (zero when never set).
 */
export function consumptionRoutes(world: World): Route[] {
  const template = "/consumption_history/projects";
  return [{ method: "GET", template, handle: (ctx) => projectConsumption(world, ctx) }];
}

function projectConsumption(world: World, { query }: RequestContext): Reply {
  const from = dateParam(query, "from");
  const to = dateParam(query, "to");
  if (from >= to) throw badRequest("from must be earlier than to");
  const granularity = requiredParam(query, "granularity");
  if (!GRANULARITIES.includes(granularity)) throw badRequest(`granularity must be one of ${GRANULARITIES.join(", ")}`);
  const limit = intParam(query, "limit", 1, 100, 10);
  const ids = listParam(query, "project_ids");
  if (ids.length > 100) throw badRequest("project_ids takes at most 100 ids");
  const cursor = query.get("cursor") ?? undefined;
  const { store } = world;
  const page = ids.length > 0 ? store.pageAmong([...new Set(ids)], cursor, limit) : store.pageProjects(cursor, limit);
  const timeframe = { start: new Date(from).toISOString(), end: new Date(to).toISOString() };
  return {
    status: 200,
    body: {
      projects: page.items.map((p) => consumptionView(p, timeframe)),
      ...(page.cursor && { pagination: { cursor: page.cursor } }),
    },
  };
}

function consumptionView(p: ProjectRecord, timeframe: { start: string; end: string }) {
  const c = p.consumption;
  return {
    project_id: p.id,
    periods: [
      {
        period_id: randomUUID(),
        period_plan: "scale",
        period_start: timeframe.start,
        consumption: [
          {
            timeframe_start: timeframe.start,
            timeframe_end: timeframe.end,
            active_time_seconds: c.active_time_seconds ?? 0,
            compute_time_seconds: c.compute_time_seconds ?? 0,
            written_data_bytes: c.written_data_bytes ?? 0,
            synthetic_storage_size_bytes: c.synthetic_storage_size_bytes ?? 0,
            logical_size_bytes: c.logical_size_bytes ?? 0,
          },
        ],
      },
    ],
  };
}
