/** Bounds how many provider operations are in flight, like the engine's `--parallel`. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly idlers: (() => void)[] = [];

  constructor(readonly limit: number) {}

  /** Operations currently running. */
  get inFlight(): number {
    return this.active;
  }

  /** Runs `fn` once a slot is free. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
      if (this.active === 0) for (const idle of this.idlers.splice(0)) idle();
    }
  }

  /** Resolves once no operation is running (at once when none is). */
  idle(): Promise<void> {
    return this.active === 0 ? Promise.resolve() : new Promise((resolve) => this.idlers.push(resolve));
  }
}
