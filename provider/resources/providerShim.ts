import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";

/**
 * Builds the provider object a dynamic resource hands to Pulumi: a shim that, when the provider process
 * configures it, loads the compiled implementation and takes on its methods.
 *
 * Why a shim: Pulumi serializes the provider object with its captured closure into the state of every
 * resource, and `delete`/`refresh` later run that stored copy. Capturing the real implementation would put
 * the Neon client, its settings and possibly the API key into state, and would freeze old code there. The
 * shim captures one string, the compiled module's path relative to the project root, so stored resources
 * always run the current code.
 *
 * Why it walks up to Pulumi.yaml: Pulumi starts the provider process in the folder of the project's `main`
 * (dist/stacks), not the project root (the engine's getPwdMain). `NEON_FLEET_ROOT` overrides the search.
 *
 * Why only `configure`: every method serializes to ~200 bytes of wrapper, which would put seven forwarding
 * methods over the 2 KB budget. The dynamic-provider server of @pulumi/pulumi (cmd/dynamic-provider,
 * `getProvider`) deserializes each distinct provider once per process, awaits its `configure` before the
 * first call, and then calls the methods of that same object, so installing them in `configure` suffices.
 *
 * @param moduleFile the resource module's own `__filename`, exporting the real provider as `provider`
 */
export function providerShim(moduleFile: string): pulumi.dynamic.ResourceProvider {
  const modulePath = compiledModulePath(moduleFile);
  const shim = {
    configure(this: pulumi.dynamic.ResourceProvider, req: pulumi.dynamic.ConfigureRequest): Promise<void> {
      const path = require("path");
      const fs = require("fs");
      let root = path.resolve(process.env.NEON_FLEET_ROOT ?? ".");
      while (!fs.existsSync(path.join(root, "Pulumi.yaml")) && path.dirname(root) !== root) root = path.dirname(root);
      const impl: pulumi.dynamic.ResourceProvider = require(path.join(root, modulePath)).provider;
      Object.assign(this, impl);
      return impl.configure ? impl.configure(req) : Promise.resolve();
    },
  };
  return shim as unknown as pulumi.dynamic.ResourceProvider;
}

/** The package root: this file is provider/resources/providerShim.ts, or its build under dist/. */
const PACKAGE_ROOT = ((up: string) => (path.basename(up) === "dist" ? path.dirname(up) : up))(
  path.resolve(__dirname, "..", ".."),
);

/**
 * `dist/provider/resources/<name>.js` for a resource module, whether it runs compiled or from source (ts-jest),
 * derived from the file itself so that renaming or moving the module cannot leave a stale path in the shim.
 */
export function compiledModulePath(moduleFile: string): string {
  const relative = path.relative(PACKAGE_ROOT, moduleFile).split(path.sep).join("/");
  const compiled = relative.startsWith("dist/") ? relative : `dist/${relative}`;
  return compiled.replace(/\.ts$/, ".js");
}

/** The arguments of a dynamic resource whose inputs are `T`: each input may also be an Output or a promise. */
export type ResourceArgs<T> = { [K in keyof T]: pulumi.Input<T[K]> };
