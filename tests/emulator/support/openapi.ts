import { readFileSync } from "node:fs";
import Ajv2019, { type ValidateFunction } from "ajv/dist/2019";
import addFormats from "ajv-formats";
import { parse } from "yaml";

/**
 * Response validation against the OpenAPI document that ships with @neondatabase/api-client, so the
 * emulator is held to Neon's published contract and not to our reading of it.
 */

type Json = Record<string, unknown>;

const DOC_PATH = require.resolve("@neondatabase/api-client/public-v2-for-users.gen.yaml");
const DOC_ID = "https://neon-fleet.invalid/openapi.json";

/** OpenAPI 3.0 `nullable: true` becomes a JSON Schema type union with "null"; everything else is kept. */
function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== "object") return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if (key === "nullable" || key === "example" || key === "discriminator") continue;
    out[key] = convert(value);
  }
  if ((node as Json).nullable === true) {
    if (typeof out.type === "string") out.type = [out.type, "null"];
    else return { anyOf: [out, { type: "null" }] };
  }
  return out;
}

/** Names of component schemas that take part in an `allOf` (their siblings add properties to them). */
function composedSchemas(doc: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(doc)) for (const d of doc) composedSchemas(d, found);
  else if (doc && typeof doc === "object") {
    for (const [key, value] of Object.entries(doc as Json)) {
      if (key === "allOf" && Array.isArray(value)) {
        for (const member of value as Json[]) {
          const ref = member.$ref;
          if (typeof ref === "string") found.add(ref.split("/").pop() as string);
        }
      }
      composedSchemas(value, found);
    }
  }
  return found;
}

/**
 * Objects outside any `allOf` get `additionalProperties: false`: a misspelt or invented field in an
 * emulator answer fails instead of passing unnoticed (the document lists every field Neon sends).
 */
function closeObjects(schemas: Record<string, Json>, composed: Set<string>): void {
  for (const [name, schema] of Object.entries(schemas)) {
    if (composed.has(name)) continue;
    if (schema.type === "object" && schema.properties && schema.additionalProperties === undefined)
      schema.additionalProperties = false;
  }
}

interface OpenApiOperation {
  responses: Record<string, { $ref?: string; content?: { "application/json"?: { schema: Json } } }>;
}

/** Validates one emulator answer against the document's schema for its operation and status. */
export class OpenApiContract {
  private readonly doc: {
    paths: Record<string, Record<string, OpenApiOperation>>;
    components: { schemas: Record<string, Json>; responses: Record<string, Json> };
  };
  private readonly ajv: Ajv2019;
  private readonly templates: { method: string; template: string; pattern: RegExp }[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    this.doc = convert(parse(readFileSync(DOC_PATH, "utf8"))) as OpenApiContract["doc"];
    closeObjects(this.doc.components.schemas, composedSchemas(this.doc));
    this.ajv = new Ajv2019({ strict: false, allErrors: true });
    addFormats(this.ajv);
    // Integer widths the document names as formats; `type: integer` already rules out fractions.
    this.ajv.addFormat("int", { type: "number", validate: () => true });
    this.ajv.addFormat("int32", { type: "number", validate: (n: number) => Math.abs(n) <= 2 ** 31 });
    this.ajv.addFormat("int64", { type: "number", validate: () => true });
    this.ajv.addFormat("uint64", { type: "number", validate: (n: number) => n >= 0 });
    this.ajv.addSchema({ $id: DOC_ID, components: this.doc.components });
    for (const [template, ops] of Object.entries(this.doc.paths)) {
      // Literal segments win over parameters (`/projects/shared` is not `/projects/{project_id}`).
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
      for (const method of Object.keys(ops)) this.templates.push({ method: method.toUpperCase(), template, pattern });
    }
    this.templates.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
  }

  /** The OpenAPI path template of a request path (relative to /api/v2), or undefined. */
  templateOf(method: string, path: string): string | undefined {
    return this.templates.find((t) => t.method === method && t.pattern.test(path))?.template;
  }

  /** The problems of `body` as the answer `status` to `method path`; an empty list when it conforms. */
  check(method: string, path: string, status: number, body: unknown): string[] {
    const template = this.templateOf(method, path);
    if (!template) return [`${method} ${path} is not an operation of the Neon OpenAPI document`];
    const responses = this.doc.paths[template][method.toLowerCase()].responses;
    const declared = responses[String(status)] ?? responses.default;
    if (!declared) return [`${method} ${template} does not declare status ${status}`];
    if (status >= 200 && status < 300 && !responses[String(status)])
      return [`${method} ${template} answers ${status}, the document declares ${Object.keys(responses).join(", ")}`];
    const key = `${method} ${template} ${status}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      const response = declared.$ref
        ? (this.doc.components.responses[declared.$ref.split("/").pop() as string] as typeof declared)
        : declared;
      const schema = response.content?.["application/json"]?.schema ?? (response as Json);
      validate = this.ajv.compile({
        $id: `https://neon-fleet.invalid/answers/${this.compiled.size}`,
        ...this.rebase(schema),
        unevaluatedProperties: false,
      });
      this.compiled.set(key, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) => `${method} ${template} ${status}: ${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`,
    );
  }

  /** Points local `#/components/...` refs of an inline schema at the registered document. */
  private rebase(schema: Json): Json {
    return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, `"$ref":"${DOC_ID}#/`)) as Json;
  }
}
