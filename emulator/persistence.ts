import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { EmulatorError } from "./errors";
import { type State, stateSchema } from "./model";

/** Reads a `--state` file; undefined when it does not exist yet. A corrupt file is an error, never silently reset. */
export function loadState(file: string): State | undefined {
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    const reason = (err as Error).message;
    throw new EmulatorError(`emulator state ${file} is not valid JSON (${reason}); move it away to start empty`);
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    throw new EmulatorError(`emulator state ${file} has an unknown layout; move it away to start empty`);
  }
  return parsed.data;
}

/**
 * Writes the state after changes settle (debounced), atomically: a temp file renamed over the old one, so
 * a crash mid-write leaves the previous complete state. The file holds role passwords, so it is owner-only.
 * A write blocks the event loop, so the delay grows with the write's cost (at most ~10% of the time is
 * spent writing, however large the fleet).
 */
export class StateWriter {
  private timer: NodeJS.Timeout | undefined;
  private delayMs: number;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => State,
    private readonly minDelayMs = 200,
  ) {
    this.delayMs = minDelayMs;
  }

  /** Notes a change; the write happens one delay after the first unsaved change. */
  changed(): void {
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  /** Writes now if anything is unsaved. */
  flush(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const started = Date.now();
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(this.snapshot()), { mode: 0o600 });
    renameSync(temp, this.file);
    this.delayMs = Math.max(this.minDelayMs, 10 * (Date.now() - started));
  }
}
