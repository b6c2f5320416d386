/** A database the limit can ask to stop early. */
export interface Stoppable {
  /** Stops the database (keeping its data) if no client is connected; false if one is. */
  stopIfIdle(): Promise<boolean>;
}

/**
 * A soft cap on databases running at once (each holds ~200 MB): before one more starts, the least recently
 * used databases without clients are stopped early. Databases with clients are never stopped, so the cap
 * can be exceeded while that many clients stay connected.
 */
export class RunningLimit {
  /** Running databases, least recently used first (a Map keeps insertion order). */
  private readonly running = new Map<Stoppable, true>();

  constructor(private readonly max: number) {}

  /** Makes room for `db`, which is about to start. */
  async admit(db: Stoppable): Promise<void> {
    for (const candidate of [...this.running.keys()]) {
      if (this.running.size < this.max) break;
      if (candidate !== db) await candidate.stopIfIdle();
    }
    this.used(db);
  }

  /** `db` served a client: it becomes the most recently used. */
  used(db: Stoppable): void {
    this.running.delete(db);
    this.running.set(db, true);
  }

  /** `db` stopped. */
  stopped(db: Stoppable): void {
    this.running.delete(db);
  }
}
