import { EmulatorError } from "./errors";

/** Faults injected into API answers. */
export interface Faults {
  /** Share of requests answered 503 before anything is done (0..1). */
  http503?: number;
  /** Share of requests whose change is committed and whose connection is then cut without an answer (0..1). */
  drop?: number;
  /** Delay added before every answer, in milliseconds. */
  latencyMs?: number;
  /**
   * Share of changes (POST, PATCH, DELETE) answered 504 at once whose change still lands {@link lateMs} later, as
   * when Neon's gateway times out while its control plane goes on (0..1).
   */
  late?: number;
  /** How long after its 504 a late change lands, in milliseconds (default {@link DEFAULT_LATE_MS}). */
  lateMs?: number;
}

/** Neon's create latency as seen behind a gateway timeout: the change lands a second and a half after the 504. */
export const DEFAULT_LATE_MS = 1_500;

/** Parses `--faults 503=0.05,drop=0.02,latency=20ms`; a bad spec is a usage EmulatorError naming the bad part. */
export function parseFaults(spec: string): Faults {
  const faults: Faults = {};
  for (const part of spec.split(",").filter((p) => p.trim() !== "")) {
    const [key, value = ""] = part.split("=").map((s) => s.trim());
    if (key === "503" || key === "drop") {
      const p = Number(value);
      if (value === "" || !Number.isFinite(p) || p < 0 || p > 1) {
        throw new EmulatorError(`--faults: ${key}=${value} must be a probability from 0 to 1`, true);
      }
      faults[key === "503" ? "http503" : "drop"] = p;
    } else if (key === "late") {
      const p = Number(value);
      if (value === "" || !Number.isFinite(p) || p < 0 || p > 1) {
        throw new EmulatorError(`--faults: late=${value} must be a probability from 0 to 1`, true);
      }
      faults.late = p;
    } else if (key === "latency" || key === "late-ms") {
      const match = /^(\d+(?:\.\d+)?)(ms)?$/.exec(value);
      if (!match) throw new EmulatorError(`--faults: ${key}=${value} must be milliseconds like 20ms or 20`, true);
      faults[key === "latency" ? "latencyMs" : "lateMs"] = Number(match[1]);
    } else {
      const known = "use 503=P, drop=P, late=P, late-ms=MS and latency=MS";
      throw new EmulatorError(`--faults: unknown fault "${part}"; ${known}`, true);
    }
  }
  return faults;
}
