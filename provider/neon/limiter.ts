/** The longest delay Node's setTimeout honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A token bucket that also caps any one-second window: Neon limits both requests per minute and per second,
 * and a plain bucket would let `burst + rate/60` requests through in one second after an idle spell.
 * Waiters are served first come, first served, so no caller starves under load.
 */
export class RateLimiter {
  private tokens: number;
  private refilledAt = Date.now();
  /** Grant times within the last second, oldest first. */
  private readonly recent: number[] = [];
  private readonly waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private heldUntil = 0;

  /** Sustained requests per minute, after the share. */
  ratePerMinute: number;
  /** Most requests in any one second, and the bucket's capacity, after the share. */
  burst: number;

  /**
   * @param fullRatePerMinute sustained requests per minute
   * @param fullBurst most requests in any one second, and the bucket's capacity
   */
  constructor(
    readonly fullRatePerMinute: number,
    readonly fullBurst: number,
  ) {
    this.ratePerMinute = fullRatePerMinute;
    this.burst = fullBurst;
    this.tokens = fullBurst;
  }

  /**
   * Grants only `share` (0 < share <= 1) of the full rate and burst, at least 1 of each: stacks that run in
   * parallel under one account budget each take their part. Relative to the full values, so setting the same
   * share again (every provider's configure does) changes nothing.
   */
  useShare(share: number): void {
    this.ratePerMinute = Math.max(1, this.fullRatePerMinute * share);
    this.burst = Math.max(1, Math.floor(this.fullBurst * share));
    this.tokens = Math.min(this.tokens, this.burst);
  }

  /** Resolves when the caller may send one request. */
  acquire(): Promise<void> {
    if (this.waiters.length === 0 && this.tryTake(Date.now())) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  /** Stops every grant until `time` (ms since epoch): Neon said Retry-After, so nobody in this process should call before. */
  holdUntil(time: number): void {
    this.heldUntil = Math.max(this.heldUntil, time);
    this.tokens = 0;
    this.refilledAt = Math.max(this.refilledAt, time);
  }

  private refresh(now: number): void {
    while (this.recent.length > 0 && this.recent[0] <= now - 1000) this.recent.shift();
    if (now <= this.refilledAt) return;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.ratePerMinute) / 60_000);
    this.refilledAt = now;
  }

  private tryTake(now: number): boolean {
    if (now < this.heldUntil) return false;
    this.refresh(now);
    if (this.tokens < 1 || this.recent.length >= this.burst) return false;
    this.tokens -= 1;
    this.recent.push(now);
    return true;
  }

  /** Milliseconds until a grant can succeed, by whichever constraint binds last. */
  private delayUntilNext(now: number): number {
    this.refresh(now);
    const forTokens = this.tokens >= 1 ? 0 : ((1 - this.tokens) * 60_000) / this.ratePerMinute;
    const forWindow = this.recent.length >= this.burst ? this.recent[0] + 1000 - now : 0;
    // Node fires a timer longer than 2^31-1 ms after 1 ms: a far hold would spin instead of waiting.
    return Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(Math.max(forTokens, forWindow, this.heldUntil - now))));
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = Date.now();
      while (this.waiters.length > 0 && this.tryTake(now)) this.waiters.shift()!();
      if (this.waiters.length > 0) this.schedule();
    }, this.delayUntilNext(Date.now()));
  }
}
