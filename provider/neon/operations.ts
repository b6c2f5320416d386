import { setTimeout as sleep } from "node:timers/promises";
import type { Operation, OperationResponse } from "@neondatabase/api-client";
import { NeonApiError } from "../errors";
import type { Transport } from "./transport";

const succeeded = new Set<string>(["finished", "skipped"]);
const failed = new Set<string>(["failed", "error", "cancelled"]);

/** Neon operations typically take a second or two; the first guess only matters until one has been observed. */
const initialEstimateMs = 800;
const minPollMs = 25;
const maxPollMs = 3_000;

/**
 * Waits for the operations a mutation started. The first poll is timed by what operations of the same kind
 * took so far in this process, so that most mutations cost their request plus one poll; later polls back off.
 * Neon runs a project's operations one after another, so the last one settling means the earlier ones did.
 */
export class OperationWaiter {
  /** Expected duration in ms by operation action (create_timeline, apply_config, ...). */
  private readonly estimates = new Map<string, number>();

  constructor(
    private readonly transport: Transport,
    private readonly timeoutMs: number,
  ) {}

  /** Resolves once every operation in `operations` succeeded; throws a NeonApiError naming the one that did not. */
  async wait(projectId: string, operations: readonly Operation[], tenantId?: string): Promise<void> {
    for (const op of operations) this.assertNotFailed(op, tenantId);
    const pending = operations.filter((op) => !succeeded.has(op.status));
    if (pending.length === 0) return;
    const target = pending[pending.length - 1];
    const path = `/projects/${projectId}/operations/${target.id}`;
    const started = Date.now();
    const deadline = started + this.timeoutMs;
    let delay = this.firstPollDelay(target.action);
    for (let poll = 1; ; poll++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw this.timedOut(target, projectId, tenantId);
      await sleep(Math.min(delay, remaining));
      const { operation } = await this.transport.call<OperationResponse>({
        method: "GET",
        path,
        projectId,
        tenantId,
        idempotent: true,
        send: (api) => api.getProjectOperation(projectId, target.id),
      });
      this.assertNotFailed(operation, tenantId);
      if (succeeded.has(operation.status)) {
        this.learn(operation, Date.now() - started, poll === 1);
        return;
      }
      // Missed: the guess was short by an unknown amount; half the guess again, then growing steps, bound the extra polls.
      delay = Math.min(maxPollMs, Math.max(minPollMs, poll === 1 ? delay / 2 : delay * 1.5));
    }
  }

  /**
   * How long the pending `operations` should still take, when the action of the last one (the one {@link wait}
   * polls) has been seen settle in this process; undefined otherwise (then only a poll tells).
   */
  expectedMs(operations: readonly Operation[]): number | undefined {
    const pending = operations.filter((op) => !succeeded.has(op.status));
    const target = pending[pending.length - 1];
    if (target === undefined) return 0;
    return this.estimates.has(target.action) ? this.firstPollDelay(target.action) : undefined;
  }

  /** The operations took longer than expected (a later mutation met 423): expect more of these actions. */
  lengthen(operations: readonly Operation[]): void {
    for (const op of operations) this.estimates.set(op.action, Math.min(maxPollMs, this.estimate(op.action) * 1.5));
  }

  private estimate(action: string): number {
    return this.estimates.get(action) ?? initialEstimateMs;
  }

  /** A little over the expected duration: a poll that comes too early costs a whole extra request. */
  private firstPollDelay(action: string): number {
    return Math.min(maxPollMs, Math.round(this.estimate(action) * 1.15 + 20));
  }

  /**
   * Updates the estimate from a settled operation: its own `total_duration_ms` when Neon reports one, else what we
   * observed (an upper bound when the first poll already found it done, so the estimate then only creeps down).
   */
  private learn(op: Operation, observedMs: number, firstPollHit: boolean): void {
    const current = this.estimates.get(op.action);
    const sample =
      op.total_duration_ms > 0 ? op.total_duration_ms : firstPollHit ? this.estimate(op.action) * 0.95 : observedMs;
    this.estimates.set(op.action, current === undefined ? sample : current * 0.7 + sample * 0.3);
  }

  private assertNotFailed(op: Operation, tenantId: string | undefined): void {
    if (!failed.has(op.status)) return;
    const reason = op.error ? `: ${op.error.split("\n")[0]}` : "";
    throw new NeonApiError(
      {
        method: "GET",
        path: `/projects/${op.project_id}/operations/${op.id}`,
        operationId: op.id,
        projectId: op.project_id,
        tenantId,
      },
      `operation ${op.action} ${op.id} on project ${op.project_id} ended ${op.status}${reason}: check the project in the Neon console, then run again`,
    );
  }

  private timedOut(op: Operation, projectId: string, tenantId: string | undefined): NeonApiError {
    return new NeonApiError(
      { method: "GET", path: `/projects/${projectId}/operations/${op.id}`, operationId: op.id, projectId, tenantId },
      `operation ${op.action} ${op.id} on project ${projectId} did not finish within ${this.timeoutMs < 10_000 ? `${this.timeoutMs}ms` : `${Math.round(this.timeoutMs / 1000)}s`}: check it in the Neon console, or raise NEON_FLEET_OP_TIMEOUT_MS`,
    );
  }
}
