/**
 * Every `neon-fleet:*` stack setting, checked by the program before it registers a single resource: a bad value
 * stops the run with one line per problem instead of failing the first resource that reads it (while the rest
 * quietly use the default), and a missing API key is said once instead of once per resource.
 */
import { FleetError } from "../provider/errors";
import { readTuning } from "../provider/neon/tuning";
import { parseRateShare } from "../provider/resources/stackConnection";
import { parseBucket } from "../provider/plans/shard";

/** Settings that take `true` or `false`. */
const FLAGS = [
  "allowReplace",
  "exportConnections",
  "refreshEndpoints",
  "allowMassRemoval",
  "waitForReady",
  "refreshSchema",
];
/** Settings whose text is checked where it is used (plans, shard) or that are secret (apiKey). */
const TEXTS = ["plans", "shard", "apiKey"];

/**
 * Checks of the settings with a shape of their own: undefined when the value is fine, else the rule it breaks.
 * `bucket` and `rateShare` are judged by the very parsers the program and the provider use, so the two never
 * disagree on what is valid.
 */
const SHAPED: Record<string, (value: string) => string | undefined> = {
  apiHost: (value) => (isHttpUrl(value) ? undefined : "an http(s) URL such as https://console.neon.tech/api/v2"),
  bucket: (value) => ruleBroken(() => parseBucket(value)),
  rateShare: (value) => ruleBroken(() => parseRateShare(value)),
  migrationConcurrency: (value) => (/^[1-9]\d*$/.test(value) ? undefined : "a whole number of at least 1"),
};

/** The parser's own message when it refuses the value (it already names the key, the value and the fix). */
function ruleBroken(parse: () => unknown): string | undefined {
  try {
    parse();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

const KNOWN = [...FLAGS, ...TEXTS, ...Object.keys(SHAPED)].sort();

/**
 * Throws a {@link FleetError} with one line per problem of the stack config `all` (as `pulumi.runtime.allConfig()`
 * gives it: `neon-fleet:KEY` -> text): a flag that is not true/false, a malformed value, an unknown key (a typo
 * would otherwise be ignored), a client tunable of `env` out of bounds, and, for a run that changes Neon
 * (`dryRun` false), no API key in the stack or in NEON_API_KEY.
 */
export function checkStackConfig(all: Record<string, string>, env: NodeJS.ProcessEnv, dryRun: boolean): void {
  const problems: string[] = [];
  for (const [fullKey, value] of Object.entries(all)) {
    if (!fullKey.startsWith("neon-fleet:")) continue;
    const key = fullKey.slice("neon-fleet:".length);
    if (FLAGS.includes(key)) {
      if (value !== "true" && value !== "false") {
        problems.push(`stack config ${fullKey} is ${JSON.stringify(value)}; set it to true or false`);
      }
    } else if (Object.hasOwn(SHAPED, key)) {
      const rule = SHAPED[key]!(value);
      if (rule && (key === "bucket" || key === "rateShare")) problems.push(rule);
      else if (rule) problems.push(`stack config ${fullKey} is ${JSON.stringify(value)}; set it to ${rule}`);
    } else if (!TEXTS.includes(key)) {
      problems.push(`stack config ${fullKey} is not a neon-fleet setting; known: ${KNOWN.join(", ")}`);
    }
  }
  try {
    readTuning(env);
  } catch (err) {
    problems.push((err as Error).message);
  }
  const hasKey = (all["neon-fleet:apiKey"] ?? "") !== "" || (env.NEON_API_KEY ?? "") !== "";
  if (!dryRun && !hasKey) {
    const fix = "set NEON_API_KEY, or run `pulumi config set --secret neon-fleet:apiKey <key>` for the stack";
    problems.push(`no Neon API key: ${fix}`);
  }
  if (problems.length > 0) throw new FleetError(problems.join("\n"));
}

function isHttpUrl(value: string): boolean {
  try {
    return ["http:", "https:"].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
