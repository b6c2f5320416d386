/**
 * One mutation in flight per Neon project. Neon runs a project's operations one after another and answers 423 to a
 * mutation sent while one runs; a request spent on a 423 is budget lost, so the client queues a project's mutations
 * here (in arrival order) and sends the next only when the previous one's operations are done or due to be.
 */
export class ProjectQueue {
  /** Project id -> the promise that settles when the last queued mutation of the project has run. */
  private readonly tails = new Map<string, Promise<void>>();
  /** Project id -> mutations queued behind the running one. */
  private readonly waiting = new Map<string, number>();
  /** Project id -> operations left running by a call that did not wait for them, awaited by the next mutation. */
  private readonly unsettled = new Map<string, () => Promise<void>>();

  /**
   * Notes operations a call left running on `projectId` without waiting (a create that answers at once): the next
   * mutation of the project waits for them first, so only a tenant that is changed right away pays for the wait.
   */
  settleBeforeNext(projectId: string, settle: () => Promise<void>): void {
    this.unsettled.set(projectId, settle);
  }

  /** Runs `task` once every mutation queued before it for `projectId` has settled (succeeded or failed). */
  async run<T>(projectId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(projectId);
    let release = (): void => undefined;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous ? previous.then(() => done) : done;
    this.tails.set(projectId, tail);
    if (previous) {
      this.waiting.set(projectId, (this.waiting.get(projectId) ?? 0) + 1);
      await previous;
      this.waiting.set(projectId, (this.waiting.get(projectId) ?? 1) - 1);
    }
    try {
      const settle = this.unsettled.get(projectId);
      if (settle) {
        this.unsettled.delete(projectId);
        await settle();
      }
      return await task();
    } finally {
      release();
      if (this.tails.get(projectId) === tail) {
        this.tails.delete(projectId);
        this.waiting.delete(projectId);
      }
    }
  }

  /** How many mutations of `projectId` wait behind the running one. */
  queued(projectId: string): number {
    return this.waiting.get(projectId) ?? 0;
  }
}
