/**
 * The default provider resource of package `pulumi-nodejs`, as the engine manages it: a state entry
 * `pulumi:providers:pulumi-nodejs::default` (inputs = the whole stack config, secrets kept secret) whose
 * reference `<urn>::<id>` every dynamic resource records, and one configured provider process behind it.
 *
 * Which config the process gets follows the engine's provider registry (pkg/resource/deploy/providers/
 * registry.go): a run whose program registers the provider configures it with the current stack config;
 * refresh, destroy, and the deletes of a run that does not register it load it from the provider
 * resource's inputs in state (Registry.Same), so a config changed since the last `up` does not apply there.
 */
import { randomUUID } from "node:crypto";
import { deepEqual, UNKNOWN, type PropertyMap } from "./properties";
import { showState } from "./preview";
import { ProviderHost } from "./providerHost";
import type { RunContext } from "./run";
import type { ResourceState } from "./state";

/** The package every dynamic resource's type token starts with. */
export const DYNAMIC_PACKAGE = "pulumi-nodejs";
const PROVIDER_TYPE = `pulumi:providers:${DYNAMIC_PACKAGE}`;

/** How to start the provider process. */
export interface ProviderLaunch {
  engineAddress: string;
  /** The working directory Pulumi gives plugins: the program's (see Project.pwd). */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The stack config in wire form: secret keys are wire secrets. */
  config: PropertyMap;
}

/** A configured provider and the reference resources record as their `provider`. */
export interface ActiveProvider {
  host: ProviderHost;
  ref: string;
}

/** Lazily starts, configures and registers the default provider, once per run. */
export class DefaultProvider {
  private active?: Promise<ActiveProvider>;
  private spawning?: Promise<ProviderHost>;
  private configured?: Promise<ProviderHost>;

  constructor(
    private readonly ctx: RunContext,
    private readonly launch: ProviderLaunch,
  ) {}

  /** The URN of the default provider resource of this stack. */
  get urn(): string {
    return `urn:pulumi:${this.ctx.stack}::${this.ctx.project}::${PROVIDER_TYPE}::default`;
  }

  /** True when `type` is a provider resource type (no provider calls, no program registration). */
  static isProviderType(type: string): boolean {
    return type.startsWith("pulumi:providers:");
  }

  /**
   * The provider of the resources in state, without recording a step (destroy, refresh and deletes act on
   * the existing provider resource): the one registered in this run if any, else one configured from the
   * provider resource's inputs in state (the current config only when the state has none).
   */
  existing(): Promise<ProviderHost> {
    return this.configure(this.ctx.live.get(this.urn)?.inputs ?? this.launch.config);
  }

  /** The provider for a program registration: recorded as a create/same/update step the first time. */
  registered(): Promise<ActiveProvider> {
    this.active ??= this.configure(this.launch.config).then((host) => ({ host, ref: this.register() }));
    return this.active;
  }

  /**
   * Starts the provider process now, while the program boots, without recording anything: the real engine
   * starts plugins on demand, and starting early only saves the wall time of a process start. A failure is
   * reported by the first real use, which awaits the same start.
   */
  warmUp(): void {
    this.spawn().catch(() => undefined);
  }

  /** Stops the provider process, if one was started (also one still starting, so none outlives the run). */
  close(): void {
    void this.spawning?.then(
      (host) => host.close(),
      () => undefined,
    );
  }

  private spawn(): Promise<ProviderHost> {
    this.spawning ??= ProviderHost.start(this.launch.engineAddress, this.launch.cwd, this.launch.env);
    return this.spawning;
  }

  /** Configures the one process, once, with the config of its first user. */
  private configure(config: PropertyMap): Promise<ProviderHost> {
    this.configured ??= this.spawn().then(async (host) => {
      await host.configure(config, {});
      return host;
    });
    return this.configured;
  }

  /** Records the provider resource's step and returns its reference. */
  private register(): string {
    const old = this.ctx.live.get(this.urn);
    const id = old?.id ?? (this.ctx.dryRun ? UNKNOWN : randomUUID());
    const next: ResourceState = {
      urn: this.urn,
      custom: true,
      type: PROVIDER_TYPE,
      id,
      inputs: this.launch.config,
      outputs: this.launch.config,
      dependencies: [],
    };
    const op = !old ? "create" : deepEqual(old.inputs, next.inputs) ? "same" : "update";
    this.ctx.steps.push({ op, urn: this.urn, ...(old ? { oldState: showState(old) } : {}), newState: showState(next) });
    if (!this.ctx.dryRun) this.ctx.live.put(next);
    return `${this.urn}::${id}`;
  }
}
