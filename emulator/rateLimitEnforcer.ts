/** A token bucket: `capacity` tokens, refilled continuously at `perSecond`. */
class Bucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.at = now;
  }

  /** Seconds until a token is available (0 = available now); does not take it. */
  wait(now: number): number {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    return this.tokens >= 1 ? 0 : (1 - this.tokens) / this.perSecond;
  }

  take(): void {
    this.tokens -= 1;
  }
}

/** Limits of Neon's API, per account and per route. */
export interface RateLimits {
  /** Requests per minute per account (Neon: 700). */
  perMinute: number;
  /** Requests per second per route of an account (Neon: 40). */
  burstPerSecond: number;
}

/**
 * Neon's two limits: an account bucket (`perMinute`, bursts up to a minute's worth) and a bucket per
 * route (`burstPerSecond`). A request takes a token from both or from neither.
 */
export class RateLimitEnforcer {
  private readonly accounts = new Map<string, Bucket>();
  private readonly routes = new Map<string, Bucket>();

  constructor(private readonly limits: RateLimits) {}

  /** Takes a token for `account` on `route`; returns 0 when allowed, else the seconds to wait (Retry-After). */
  acquire(account: string, route: string, now: number): number {
    const accountBucket = this.bucket(this.accounts, account, this.limits.perMinute, this.limits.perMinute / 60, now);
    const routeBucket = this.bucket(
      this.routes,
      `${account} ${route}`,
      this.limits.burstPerSecond,
      this.limits.burstPerSecond,
      now,
    );
    const wait = Math.max(accountBucket.wait(now), routeBucket.wait(now));
    if (wait > 0) return wait;
    accountBucket.take();
    routeBucket.take();
    return 0;
  }

  private bucket(map: Map<string, Bucket>, key: string, capacity: number, perSecond: number, now: number): Bucket {
    const bucket = map.get(key) ?? new Bucket(capacity, perSecond, now);
    map.set(key, bucket);
    return bucket;
  }
}
