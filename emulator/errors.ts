/**
 * A failure of the emulator that its user can fix (a bad flag value, a port in use, an unreadable state file),
 * with a one-line actionable message. The emulator imports nothing from provider/ (it is an independent model of
 * Neon), so the neon-fleet CLI turns these into its own user errors; `usage` ones exit 2, like a bad flag.
 */
export class EmulatorError extends Error {
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
    this.name = "EmulatorError";
  }
}
