/** Bounds how many provider operations are in flight, like the engine's `--parallel`. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly idlers: (() => void)[] = [];

  /** `Infinity` never makes anyone wait (the engine's InfiniteParallelism). */
  constructor(readonly limit: number) {}

  /** Operations currently running. */
  get inFlight(): number {
    return this.active;
  }

  /**
   * Takes a slot once one is free; the caller gives it back with the returned `release` (later calls do nothing).
   * Lets a caller hold a slot across awaits of its own, as the engine's step generator holds its loop until a
   * worker takes the chain it hands over.
   */
  async acquire(): Promise<() => void> {
    // A freed slot passes straight to the first waiter, so that no newcomer slips in between.
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const next = this.waiting.shift();
      if (next) return next();
      this.active--;
      if (this.active === 0) for (const idle of this.idlers.splice(0)) idle();
    };
  }

  /** Runs `fn` once a slot is free. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Resolves once no operation is running (at once when none is). */
  idle(): Promise<void> {
    return this.active === 0 ? Promise.resolve() : new Promise((resolve) => this.idlers.push(resolve));
  }
}
