import { UnitError } from "../../provider/errors";
import { formatDuration, formatSize, formatSuspend, parseDuration, parseSize } from "../../provider/plans/units";

describe("plan units", () => {
  it("reads durations as Neon seconds: 100h of compute is 360000 CU-seconds", () => {
    expect(parseDuration("100h")).toBe(360000);
    expect(parseDuration("5m")).toBe(300);
    expect(parseDuration("90s")).toBe(90);
    expect(parseDuration("7d")).toBe(604800);
    expect(parseDuration("1d12h")).toBe(129600);
  });

  it("reads sizes in decimal and binary units", () => {
    expect(parseSize("512MiB")).toBe(536870912);
    expect(parseSize("5GB")).toBe(5000000000);
    expect(parseSize("10GiB")).toBe(10737418240);
    expect(parseSize("1TB")).toBe(1e12);
    expect(parseSize("42B")).toBe(42);
  });

  it("maps the words to Neon's special values: unlimited = 0, never = -1", () => {
    expect(parseSize("unlimited")).toBe(0);
    expect(parseDuration("unlimited")).toBe(0);
    expect(parseDuration("never")).toBe(-1);
  });

  it("refuses what is not a unit, saying which units work", () => {
    expect(() => parseSize("10gb")).toThrow(UnitError);
    expect(() => parseSize("10gb")).toThrow(
      '"10gb" is not a size; use a number with B, KB, MB, GB, TB, KiB, MiB, GiB or TiB (512MiB, 5GB)',
    );
    expect(() => parseDuration("5 minutes")).toThrow('"5 minutes" is not a duration');
    expect(() => parseDuration("")).toThrow(UnitError);
    expect(() => parseDuration("1.5h")).toThrow(UnitError);
  });

  it("prints sizes back in plan units, binary when exact, else decimal", () => {
    expect(formatSize(10737418240)).toBe("10GiB");
    expect(formatSize(536870912)).toBe("512MiB");
    expect(formatSize(5000000000)).toBe("5GB");
    expect(formatSize(1234567)).toBe("1.23MB");
    expect(formatSize(500)).toBe("500B");
    expect(formatSize(0)).toBe("unlimited");
  });

  it("prints durations back exactly, so they parse to the same seconds", () => {
    expect(formatDuration(360000)).toBe("100h");
    expect(formatDuration(300)).toBe("5m");
    expect(formatDuration(604800)).toBe("7d");
    expect(formatDuration(93784)).toBe("1d2h3m4s");
    expect(formatDuration(0)).toBe("unlimited");
    expect(formatDuration(90)).toBe("1m30s");
    expect(formatDuration(45)).toBe("45s");
    for (const text of ["100h", "5m", "1m30s", "1d2h3m4s", "never", "unlimited"])
      expect(formatDuration(parseDuration(text))).toBe(text);
  });

  it("prints suspend timeouts with Neon's special values named", () => {
    expect(formatSuspend(-1)).toBe("never");
    expect(formatSuspend(0)).toBe("default");
    expect(formatSuspend(300)).toBe("5m");
  });
});
