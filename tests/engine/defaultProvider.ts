/**
 * The default provider resource of package `pulumi-nodejs`, as the engine manages it: a state entry
 * `pulumi:providers:pulumi-nodejs::default` (inputs = the whole stack config, secrets kept secret) whose
 * reference `<urn>::<id>` every dynamic resource records, and one configured provider process behind it.
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
  rootDir: string;
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
  private starting?: Promise<ProviderHost>;

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
   * Starts the provider process without recording a step (destroy and refresh act on the existing
   * provider resource rather than registering it again).
   */
  existing(): Promise<ProviderHost> {
    return this.start();
  }

  /** The provider for a program registration: recorded as a create/same/update step the first time. */
  registered(): Promise<ActiveProvider> {
    this.active ??= this.start().then((host) => ({ host, ref: this.register() }));
    return this.active;
  }

  /**
   * Starts the provider process now, while the program boots, without recording anything: the real engine
   * starts plugins on demand, and starting early only saves the wall time of a process start. A failure is
   * reported by the first real use, which awaits the same start.
   */
  warmUp(): void {
    this.start().catch(() => undefined);
  }

  /** Stops the provider process, if one was started (also one still starting, so none outlives the run). */
  close(): void {
    void this.starting?.then((host) => host.close(), () => undefined);
  }

  private start(): Promise<ProviderHost> {
    this.starting ??= (async () => {
      const host = await ProviderHost.start(this.launch.engineAddress, this.launch.rootDir, this.launch.env);
      try {
        await host.configure(this.launch.config, {});
      } catch (e) {
        host.close();
        throw e;
      }
      return host;
    })();
    return this.starting;
  }

  /** Records the provider resource's step and returns its reference. */
  private register(): string {
    const old = this.ctx.live.get(this.urn);
    const id = old?.id ?? (this.ctx.dryRun ? UNKNOWN : randomUUID());
    const next: ResourceState = { urn: this.urn, custom: true, type: PROVIDER_TYPE, id, inputs: this.launch.config, outputs: this.launch.config, dependencies: [] };
    const op = !old ? "create" : deepEqual(old.inputs, next.inputs) ? "same" : "update";
    this.ctx.steps.push({ op, urn: this.urn, ...(old ? { oldState: showState(old) } : {}), newState: showState(next) });
    if (!this.ctx.dryRun) this.ctx.live.put(next);
    return `${this.urn}::${id}`;
  }
}
