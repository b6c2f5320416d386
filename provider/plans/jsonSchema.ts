/**
 * The JSON Schema of the plan files, derived from the zod schemas so it can never disagree with validation.
 * One document with a definition per file kind; editors pick the definition by file (yaml-language-server:
 * `$schema=...#/$defs/tenantsFile`) or validate any plan file against the root, which accepts the four kinds.
 */
import { z } from "zod";
import { devFileSchema, fleetFileSchema, tenantsFileSchema, tiersFileSchema } from "./schema";

const KINDS = {
  fleetFile: fleetFileSchema,
  tiersFile: tiersFileSchema,
  tenantsFile: tenantsFileSchema,
  devFile: devFileSchema,
};

/** Renders the JSON Schema (draft 2020-12) of fleet.yaml, tiers.yaml, tenants/*.yaml and dev.yaml. */
export function planJsonSchema(): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  for (const [id, schema] of Object.entries(KINDS)) {
    // Plan files are written in plan units, so the schema describes the input side of the unit transforms.
    const { $schema: _draft, ...definition } = z.toJSONSchema(schema, { io: "input" });
    defs[id] = definition;
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "neon-fleet plan file",
    description: "fleet.yaml, tiers.yaml, tenants/*.yaml or dev.yaml; each kind is a definition in $defs",
    anyOf: Object.keys(KINDS).map((id) => ({ $ref: `#/$defs/${id}` })),
    $defs: defs,
  };
}
