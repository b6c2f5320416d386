import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

/**
 * The provider a dynamic resource hands to Pulumi, as the source text Pulumi stores in its `__provider` property: a
 * shim that, when the provider process loads it, finds the project root and returns the compiled implementation.
 *
 * Why a shim: Pulumi stores the serialized provider in the inputs and the outputs of every dynamic resource, and
 * `delete`/`refresh` later run that stored copy. Capturing the real implementation would put the Neon client, its
 * settings and possibly the API key into state, and would freeze old code there. The shim holds one string, the
 * compiled module's path relative to the project root, so stored resources always run the current code.
 *
 * Why hand-written text: `pulumi.dynamic.Resource` serializes a provider object through Pulumi's closure
 * serializer, whose wrappers made the same shim about 1 KB, stored twice per resource: most of a tenant's state.
 * The text below is what that serializer would produce, minus the wrappers: a CommonJS module whose `handler()`
 * returns the provider (cmd/dynamic-provider of @pulumi/pulumi loads it with require-from-string).
 *
 * Why it walks up to Pulumi.yaml: Pulumi starts the provider process in the folder of the project's `main`
 * (dist/stacks), not the project root (the engine's getPwdMain). `NEON_FLEET_ROOT` overrides the search.
 *
 * The dynamic-provider server deserializes each distinct provider once per process (calling `handler()`), awaits
 * its `configure` before the first call, and then calls the methods of that same object: the implementation's.
 *
 * @param moduleFile the resource module's own `__filename`, exporting the real provider as `provider`
 */
export function providerShim(moduleFile: string): ProviderSource {
  // Single quotes: state stores the text as JSON twice per resource, where every double quote costs a backslash.
  const modulePath = `'${compiledModulePath(moduleFile).replace(/\.js$/, "")}'`;
  // Eight levels up is far more than any folder Pulumi starts the provider in (dist/stacks: two).
  const source =
    "exports.handler=()=>{let d=process.env.NEON_FLEET_ROOT||'.',i=8;" +
    "while(i--&&!require('fs').existsSync(d+'/Pulumi.yaml'))d+='/..';" +
    `return require(require('path').resolve(d,${modulePath})).provider}`;
  return source as ProviderSource;
}

/** The source text of a dynamic provider, as stored in a resource's `__provider` property. */
export type ProviderSource = string & { readonly providerSource: unique symbol };

/**
 * A dynamic resource (`pulumi-nodejs:dynamic/<module>:<type>`) whose provider is given as source text: what
 * `pulumi.dynamic.Resource` registers, without serializing a provider object (see {@link providerShim}).
 */
export class DynamicResource extends pulumi.CustomResource {
  constructor(
    provider: ProviderSource,
    name: string,
    props: pulumi.Inputs,
    opts: pulumi.CustomResourceOptions | undefined,
    module: string,
    type: string,
  ) {
    if (props.__provider !== undefined) throw new Error("A dynamic resource must not define the __provider key");
    super(`pulumi-nodejs:dynamic/${module}:${type}`, name, { ...props, __provider: provider }, opts);
  }
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
