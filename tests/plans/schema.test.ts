import Ajv2020 from "ajv/dist/2020";
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";

const ROOT = path.join(__dirname, "..", "..");
const schema = JSON.parse(
  execFileSync(process.execPath, [path.join(ROOT, "bin", "neon-fleet.js"), "schema"], { encoding: "utf8" }),
);
const ajv = new Ajv2020({ allErrors: true });
const validate = ajv.compile(schema);
const planFile = (...parts: string[]) => parse(readFileSync(path.join(ROOT, ...parts), "utf8"));

describe("neon-fleet schema", () => {
  it("prints one JSON Schema with a definition per plan file kind", () => {
    expect(Object.keys(schema.$defs)).toEqual(["fleetFile", "tiersFile", "tenantsFile", "devFile"]);
  });

  it.each([
    "fleet.yaml",
    "tiers.yaml",
    "dev.yaml",
    ...readdirSync(path.join(ROOT, "plans", "tenants")).map((f) => `tenants/${f}`),
  ])("accepts the example plans/%s", (file) => {
    expect(validate(planFile("plans", file))).toBe(true);
  });

  it("checks each file against its own kind", () => {
    const tenantsFile = ajv.compile({ ...schema, anyOf: undefined, $ref: "#/$defs/tenantsFile" });
    expect(tenantsFile(planFile("plans", "tenants", "europe.yaml"))).toBe(true);
    expect(tenantsFile(planFile("plans", "tiers.yaml"))).toBe(false);
  });

  it("rejects a tenant with an unknown key or a bad unit, as loadPlans does", () => {
    expect(validate({ tenants: [{ id: "acme", tierr: "pro" }] })).toBe(false);
    expect(validate({ tenants: [{ id: "acme", overrides: { storage: "10gb" } }] })).toBe(false);
    expect(validate({ tenants: [{ id: "acme", overrides: { storage: "10GB" } }] })).toBe(true);
  });
});
