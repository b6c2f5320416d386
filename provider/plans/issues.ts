/**
 * Turns zod issues into one-line plan errors at the offending node, phrased for the person editing the file:
 * `tenant acme: pgVersion must be from 14 to 18, got 19`, `tier pro: unknown key "storge"; allowed: ...`.
 */
import type { z } from "zod";
import type { PlanError } from "../errors";
import { shown } from "./schema";
import type { PlanPath, PlanSource } from "./source";

/** The entity a path belongs to, to name it in messages: `tenant acme: `, `tier pro: `, `branch x: `. */
function subjectOf(data: unknown, path: PlanPath): { subject: string; rest: PlanPath } {
  const [head, index] = path;
  if (head === "tiers" && typeof index === "string") return { subject: `tier ${index}: `, rest: path.slice(2) };
  if (head === "project" && path.length > 1) {
    const name = valueAt(data, ["project", "name"]);
    return { subject: typeof name === "string" ? `project ${name}: ` : "project: ", rest: path.slice(1) };
  }
  if ((head === "tenants" || head === "branches") && typeof index === "number") {
    const item = valueAt(data, [head, index]) as { id?: unknown; name?: unknown } | undefined;
    const key = head === "tenants" ? item?.id : item?.name;
    const label = typeof key === "string" ? key : `#${index + 1}`;
    return { subject: `${head === "tenants" ? "tenant" : "branch"} ${label}: `, rest: path.slice(2) };
  }
  return { subject: "", rest: path };
}

/** Renders a key path as written in YAML: `overrides.compute.max`, `residency.us[1]`. */
function fieldOf(path: PlanPath): string {
  return path.reduce<string>(
    (text, key) => (typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    "",
  );
}

/** `tenant acme: pgVersion must ...`, or `tenant acme: must ...` when the subject itself is wrong. */
function sentence(subject: string, field: string, problem: string): string {
  return `${subject}${field ? `${field} ` : ""}${problem}`;
}

/** The plain value at `path`, or undefined when some step is missing. */
function valueAt(data: unknown, path: PlanPath): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const EXPECTED: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  number: "a number",
  boolean: "true or false",
};

/** One plan error per problem in a zod issue (an unknown-keys issue yields one per key). */
export function issueErrors(source: PlanSource, issue: z.core.$ZodIssue): PlanError[] {
  const { subject, rest } = subjectOf(source.data, issue.path);
  const field = fieldOf(rest);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) =>
        source.error(
          [...issue.path, key],
          `${subject}unknown key ${JSON.stringify(key)}${field ? ` in ${field}` : ""}; ${issue.message}`,
          "key",
        ),
      );
    case "invalid_key":
      // A bad mapping key (a tier or residency group name): name the mapping, since the key is the subject.
      return [
        source.error(
          issue.path,
          `${fieldOf(issue.path.slice(0, -1))}: key ${issue.issues[0]?.message ?? issue.message}`,
          "key",
        ),
      ];
    case "invalid_type": {
      const value = valueAt(source.data, issue.path);
      if (value === undefined) {
        const parent = fieldOf(rest.slice(0, -1));
        const missing = `${subject}missing required key ${JSON.stringify(String(issue.path.at(-1)))}${parent ? ` in ${parent}` : ""}`;
        return [source.error(issue.path.slice(0, -1), missing, "key")];
      }
      const quote =
        issue.expected === "string" && (typeof value === "number" || typeof value === "boolean") ? "; quote it" : "";
      const problem = issue.message.startsWith("must ")
        ? issue.message
        : `must be ${EXPECTED[issue.expected] ?? issue.expected}, got ${shown(value)}`;
      return [source.error(issue.path, sentence(subject, field, problem + quote))];
    }
    default:
      return [source.error(issue.path, sentence(subject, field, issue.message))];
  }
}
