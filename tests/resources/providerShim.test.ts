import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DevBranch, PlanQuota, TenantProject, TenantSchema } from "../../provider/resources";

/**
 * The provider Pulumi stores with every resource is a small shim naming the compiled module to load. Pulumi starts
 * the provider process in the folder of the project's `main` (dist/stacks), so the shim must find the module from
 * there, stay small, and carry no secret. These tests take the provider string each resource really serializes.
 */
const ROOT = path.resolve(__dirname, "..", "..");
const KEY = "napi_shim_test_SECRET_0123456789";

/** The `__provider` input of one registration of each resource, as the program sends it to the engine. */
async function serializedProviders(): Promise<Record<string, string>> {
  const seen: Record<string, string> = {};
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        seen[args.type.split(":").pop() ?? args.type] = args.inputs.__provider as string;
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "neon-fleet",
    "shim",
    false,
  );
  process.env.NEON_API_KEY = KEY;
  const project = new TenantProject("acme", {
    tenantId: "acme",
    projectName: "tenant-acme",
    tier: "free",
    residency: "us",
    region: "aws-us-east-2",
    pgVersion: 17,
    onRemove: "retain",
    quota: {
      active_time_seconds: 0,
      compute_time_seconds: 0,
      written_data_bytes: 0,
      data_transfer_bytes: 0,
      logical_size_bytes: 0,
    },
    endpointSettings: { autoscaling_limit_min_cu: 0.25, autoscaling_limit_max_cu: 0.25, suspend_timeout_seconds: 0 },
  });
  const projectId = project.projectId;
  const settings = { quota: {} as never, endpointSettings: {} as never };
  new PlanQuota("acme", { tenantId: "acme", tier: "free", projectId, ...settings });
  new DevBranch("feature", { projectId: project.projectId, name: "feature", parent: "main", ttlSeconds: 3600 });
  new TenantSchema("acme", {
    tenantId: "acme",
    stage: "fleet",
    migrations: [],
    plansDir: "plans",
    connection: project.connectionUri,
    database: "neondb",
    role: "neondb_owner",
    statementTimeoutSeconds: 300,
  });
  for (let i = 0; i < 50 && Object.keys(seen).length < 4; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return seen;
}

describe("the serialized provider shim", () => {
  let providers: Record<string, string>;
  beforeAll(async () => {
    providers = await serializedProviders();
  });

  it("each of the four resources names its own compiled module, derived from its file, under 2 KB with no key inside", () => {
    expect(Object.keys(providers).sort()).toEqual(["DevBranch", "PlanQuota", "TenantProject", "TenantSchema"]);
    for (const [type, text] of Object.entries(providers)) {
      const name = type.charAt(0).toLowerCase() + type.slice(1);
      expect(text).toContain(`'dist/provider/resources/${name}'`);
      expect(text.length).toBeLessThan(2048);
      expect(text).not.toContain(KEY);
    }
  });

  it("loads its module when the provider process starts in dist/stacks, the folder of Pulumi.yaml's main", async () => {
    // How the dynamic-provider server of @pulumi/pulumi loads a stored provider (cmd/dynamic-provider, getProvider).
    type Loaded = { handler(): pulumi.dynamic.ResourceProvider };
    const requireFromString = require("require-from-string") as (code: string) => Loaded;
    const config = { get: (key: string) => ({ "neon-fleet:apiHost": "http://127.0.0.1:9/api/v2" })[key] };
    const before = process.cwd();
    process.chdir(path.join(ROOT, "dist", "stacks"));
    try {
      for (const text of Object.values(providers)) {
        const shim = requireFromString(text).handler();
        await shim.configure!({ config } as unknown as pulumi.dynamic.ConfigureRequest);
        expect(typeof shim.check).toBe("function");
        expect(typeof shim.delete).toBe("function");
      }
    } finally {
      process.chdir(before);
    }
  });
});
