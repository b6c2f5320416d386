/**
 * Plan units <-> Neon units. Plans speak `100h`, `512MiB`, `unlimited`, `never`; Neon speaks seconds and bytes,
 * with 0 meaning unlimited in a quota and -1 meaning never in `suspend_timeout_seconds`.
 */
import { UnitError } from "../errors";

const SECONDS = { d: 86_400, h: 3_600, m: 60, s: 1 } as const;
const BINARY = { TiB: 1024 ** 4, GiB: 1024 ** 3, MiB: 1024 ** 2, KiB: 1024 } as const;
const DECIMAL = { TB: 1e12, GB: 1e9, MB: 1e6, KB: 1e3 } as const;
const SIZE_UNITS: Record<string, number> = { ...BINARY, ...DECIMAL, B: 1 };

/** A duration: one or more `<integer><unit>` parts from largest to smallest unit, e.g. `90s`, `100h`, `1d12h`. */
export const DURATION_PATTERN = "^(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?$";
/** A size: `<integer><unit>` with a decimal (`KB`..`TB`) or binary (`KiB`..`TiB`) unit, or bytes (`B`). */
export const SIZE_PATTERN = "^(\\d+)(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$";

const DURATION_RE = new RegExp(DURATION_PATTERN);
const SIZE_RE = new RegExp(SIZE_PATTERN);

/**
 * Parses a plan duration to seconds: `5m` -> 300, `100h` -> 360000, `unlimited` -> 0 (a quota without limit),
 * `never` -> -1 (a compute that never suspends). Throws {@link UnitError} on anything else.
 */
export function parseDuration(text: string): number {
  if (text === "unlimited") return 0;
  if (text === "never") return -1;
  const match = DURATION_RE.exec(text);
  if (!match || text === "") throw new UnitError(text, "duration", "a number with s, m, h or d (90s, 5m, 100h, 7d)");
  const [, d, h, m, s] = match;
  return Number(d ?? 0) * SECONDS.d + Number(h ?? 0) * SECONDS.h + Number(m ?? 0) * SECONDS.m + Number(s ?? 0);
}

/** Parses a plan size to bytes: `512MiB` -> 536870912, `5GB` -> 5000000000, `unlimited` -> 0. Throws {@link UnitError}. */
export function parseSize(text: string): number {
  if (text === "unlimited") return 0;
  const match = SIZE_RE.exec(text);
  if (!match) throw new UnitError(text, "size", "a number with B, KB, MB, GB, TB, KiB, MiB, GiB or TiB (512MiB, 5GB)");
  return Number(match[1]) * SIZE_UNITS[match[2]!]!;
}

/**
 * Formats bytes in plan units: the largest binary unit that divides exactly (`10737418240` -> `10GiB`), else the
 * largest exact decimal unit (`5000000000` -> `5GB`), else decimal rounded to two places (`1234567` -> `1.23MB`).
 * 0 is `unlimited`, as in a quota.
 */
export function formatSize(bytes: number): string {
  if (bytes === 0) return "unlimited";
  const sign = bytes < 0 ? "-" : "";
  const abs = Math.round(Math.abs(bytes));
  for (const [unit, size] of Object.entries(BINARY))
    if (abs >= size && abs % size === 0) return `${sign}${abs / size}${unit}`;
  for (const [unit, size] of Object.entries(DECIMAL))
    if (abs >= size && abs % size === 0) return `${sign}${abs / size}${unit}`;
  for (const [unit, size] of Object.entries(DECIMAL))
    if (abs >= size) return `${sign}${Number((abs / size).toFixed(2))}${unit}`;
  return `${sign}${abs}B`;
}

/**
 * Formats seconds in plan units, exact and round-trippable through {@link parseDuration}: the largest of d, h, m
 * that divides exactly (`360000` -> `100h`, `300` -> `5m`), else every unit (`90` -> `1m30s`, `93784` -> `1d2h3m4s`). 0 is `unlimited`
 * and -1 `never`, mirroring the parser.
 */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return "unlimited";
  if (seconds === -1) return "never";
  const sign = seconds < 0 ? "-" : "";
  let rest = Math.round(Math.abs(seconds));
  for (const [unit, size] of Object.entries(SECONDS))
    if (size > 1 && rest >= size && rest % size === 0) return `${sign}${rest / size}${unit}`;
  let text = "";
  for (const [unit, size] of Object.entries(SECONDS)) {
    if (rest >= size) {
      text += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return sign + (text || "0s");
}

/** Formats a `suspend_timeout_seconds`: -1 -> `never`, 0 -> `default` (Neon's own default), else a duration. */
export function formatSuspend(seconds: number): string {
  if (seconds === 0) return "default";
  return formatDuration(seconds);
}
