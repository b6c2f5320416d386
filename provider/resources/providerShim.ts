import type * as pulumi from "@pulumi/pulumi";

/**
 * Builds the provider object a dynamic resource hands to Pulumi: a shim that, when the provider process
 * configures it, loads the compiled implementation and takes on its methods.
 *
 * Why a shim: Pulumi serializes the provider object with its captured closure into the state of every
 * resource, and `delete`/`refresh` later run that stored copy. Capturing the real implementation would put
 * the Neon client, its settings and possibly the API key into state, and would freeze old code there. The
 * shim captures one string; the provider process (cwd = project root, no ts-node) resolves the compiled
 * module from `NEON_FLEET_ROOT` or the current directory, so stored resources always run the current code.
 *
 * Why only `configure`: every method serializes to ~200 bytes of wrapper, which would put seven forwarding
 * methods over the 2 KB budget. The dynamic-provider server of @pulumi/pulumi (cmd/dynamic-provider,
 * `getProvider`) deserializes each distinct provider once per process, awaits its `configure` before the
 * first call, and then calls the methods of that same object, so installing them in `configure` suffices.
 *
 * @param modulePath compiled module relative to the project root, exporting the real provider as `provider`
 */
export function providerShim(modulePath: string): pulumi.dynamic.ResourceProvider {
  const shim = {
    configure(this: pulumi.dynamic.ResourceProvider, req: pulumi.dynamic.ConfigureRequest): Promise<void> {
      const impl: pulumi.dynamic.ResourceProvider = require(require("path").resolve(process.env.NEON_FLEET_ROOT ?? ".", modulePath)).provider;
      Object.assign(this, impl);
      return impl.configure ? impl.configure(req) : Promise.resolve();
    },
  };
  return shim as unknown as pulumi.dynamic.ResourceProvider;
}

/** The arguments of a dynamic resource whose inputs are `T`: each input may also be an Output or a promise. */
export type ResourceArgs<T> = { [K in keyof T]: pulumi.Input<T[K]> };
