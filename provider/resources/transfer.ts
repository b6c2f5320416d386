import { TransferRefusedError } from "../errors";
import { neon } from "./neonAccess";

/**
 * Organization moves of one run, coalesced. Neon moves up to 400 projects per call, but the engine updates
 * tenants a few at a time (`--parallel`), each update waiting for its own move: asked one by one, 300 re-tiered
 * tenants would cost 300 calls. So `diff`, which the engine calls for every tenant before (or while) the updates run,
 * records each planned move here (offline: nothing is sent); the first update that needs a move waits until no
 * new move has been planned or asked for during {@link QUIET_MS} (at most {@link MAX_WAIT_MS}), then sends every
 * planned move of the same (source, destination) pair at once. Later updates find their project already moved.
 *
 * A move whose update never runs (the engine stopped at another tenant's failure) may still have been sent with
 * its batch: the project is then in the organization the plan asks for, and the next `up` records it.
 */

/** Quiet time after the last planned or asked move before a batch is sent. */
const QUIET_MS = 150;
/** Longest wait of the first update asking, however many moves keep arriving. */
const MAX_WAIT_MS = 2_000;

interface Move {
  projectId: string;
  tenantId: string;
  source: string;
  destination: string;
  /** Settles once the batch holding this move was answered. */
  done?: Promise<void>;
}

const planned = new Map<string, Move>();
let timer: NodeJS.Timeout | undefined;
let firstAskedAt: number | undefined;
let wake: (() => void) | undefined;
let batchDue: Promise<void> | undefined;

/**
 * The move a TenantProject's plan asks for: its org names one other than the org Neon reported for the project
 * (a plan without an org leaves the project where it is). Planned as a side effect, offline, for the batch.
 */
export function organizationMove(
  projectId: string,
  olds: { org?: string },
  news: { org?: string; tenantId: string },
): Omit<Move, "done"> | undefined {
  if (news.org === undefined || olds.org === undefined || olds.org === news.org || projectId === "") return undefined;
  const move = { projectId, tenantId: news.tenantId, source: olds.org, destination: news.org };
  planTransfer(move);
  return move;
}

/** Records that `projectId` will move (from diff); sends nothing. */
export function planTransfer(move: Omit<Move, "done">): void {
  const known = planned.get(move.projectId);
  if (known?.done && known.source === move.source && known.destination === move.destination) return;
  planned.set(move.projectId, { ...move });
  if (batchDue) rearm();
}

/**
 * Moves the tenant's project to `destination`, batched with every other move of the run planned meanwhile.
 * @throws TransferRefusedError naming the tenant, both organizations and what Neon said, when Neon refused it
 */
export async function transferProject(move: Omit<Move, "done">): Promise<void> {
  let known = planned.get(move.projectId);
  if (!known || known.source !== move.source || known.destination !== move.destination) {
    planTransfer(move);
    known = planned.get(move.projectId)!;
  }
  if (!known.done) {
    batchDue ??= new Promise<void>((resolve) => {
      wake = resolve;
      firstAskedAt = Date.now();
    });
    rearm();
    await batchDue;
  }
  await planned.get(move.projectId)!.done;
}

/** Restarts the quiet-time countdown, within the longest wait. */
function rearm(): void {
  if (timer) clearTimeout(timer);
  const left = MAX_WAIT_MS - (Date.now() - (firstAskedAt ?? Date.now()));
  timer = setTimeout(sendBatch, Math.max(0, Math.min(QUIET_MS, left)));
}

/** Sends every move not sent yet, one call series per (source, destination), and lets the waiting updates go. */
function sendBatch(): void {
  timer = undefined;
  const release = wake!;
  batchDue = undefined;
  wake = undefined;
  firstAskedAt = undefined;
  const groups = new Map<string, Move[]>();
  for (const move of planned.values()) {
    if (move.done) continue;
    const key = `${move.source}\n${move.destination}`;
    groups.set(key, [...(groups.get(key) ?? []), move]);
  }
  for (const moves of groups.values()) {
    const answered = neon().transferProjects({
      source: moves[0]!.source,
      destination: moves[0]!.destination,
      projectIds: moves.map((m) => m.projectId),
    });
    for (const move of moves) {
      move.done = answered.then((outcome) => {
        const problem = outcome.refused.get(move.projectId);
        if (problem !== undefined) throw new TransferRefusedError(move.tenantId, move.projectId, move.source, move.destination, problem);
      });
      // A refused move whose update never asks is not an unhandled rejection; its next run plans it again.
      move.done.catch(() => planned.delete(move.projectId));
    }
  }
  release();
}
