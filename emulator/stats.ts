/** What `GET /__emulator/stats` answers (README "The Neon emulator", admin routes). */
export interface EmulatorStats {
  requests: { total: number; byRoute: Record<string, number> };
  /** Requests answered 429. */
  rateLimited: number;
  /** Live projects now. */
  projects: number;
}

/** Counts API requests by route key (`POST /projects`); the stats routes themselves are never counted. */
export class StatsCounter {
  private total = 0;
  private rateLimited = 0;
  private byRoute = new Map<string, number>();

  count(routeKey: string | undefined): void {
    this.total++;
    if (routeKey !== undefined) this.byRoute.set(routeKey, (this.byRoute.get(routeKey) ?? 0) + 1);
  }

  countRateLimited(): void {
    this.rateLimited++;
  }

  reset(): void {
    this.total = 0;
    this.rateLimited = 0;
    this.byRoute = new Map();
  }

  snapshot(projects: number): EmulatorStats {
    return {
      requests: { total: this.total, byRoute: Object.fromEntries(this.byRoute) },
      rateLimited: this.rateLimited,
      projects,
    };
  }
}
