import { badRequest } from "../apiError";

/** An integer query parameter within bounds (400 when malformed or out of range), or `fallback` when absent. */
export function intParam(query: URLSearchParams, name: string, min: number, max: number, fallback: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw badRequest(`${name} must be an integer from ${min} to ${max}, got ${raw}`);
  return value;
}

/** A required string query parameter. */
export function requiredParam(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (value === null || value === "") throw badRequest(`query parameter ${name} is required`);
  return value;
}

/** A list parameter given as repeated values and/or comma-separated values (both forms Neon accepts). */
export function listParam(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((v) => v.split(","))
    .filter((v) => v !== "");
}
