import { randomBytes, randomInt, randomUUID } from "node:crypto";

const ADJECTIVES = [
  "withered", "ancient", "billowing", "bitter", "black", "blue", "bold", "broad", "calm", "cold", "cool",
  "crimson", "curly", "damp", "dark", "dawn", "delicate", "divine", "dry", "empty", "falling", "fancy",
  "flat", "floral", "fragrant", "frosty", "gentle", "green", "hidden", "holy", "icy", "jolly", "late",
  "lingering", "little", "lively", "long", "lucky", "misty", "morning", "muddy", "mute", "nameless",
  "noisy", "odd", "old", "orange", "patient", "plain", "polished", "proud", "purple", "quiet", "rapid",
  "raspy", "red", "restless", "rough", "round", "royal", "shiny", "shrill", "shy", "silent", "small",
  "snowy", "soft", "solitary", "sparkling", "spring", "square", "steep", "still", "summer", "super",
  "sweet", "throbbing", "tight", "tiny", "twilight", "wandering", "weathered", "white", "wild", "winter",
  "wispy", "young",
];

const NOUNS = [
  "sun", "art", "band", "bar", "base", "bird", "block", "boat", "bonus", "bread", "breeze", "brook",
  "bush", "butterfly", "cake", "cell", "cherry", "cloud", "credit", "darkness", "dawn", "dew", "disk",
  "dream", "dust", "feather", "field", "fire", "firefly", "flower", "fog", "forest", "frog", "frost",
  "glade", "glitter", "grass", "hall", "hat", "haze", "heart", "hill", "king", "lab", "lake", "leaf",
  "limit", "math", "meadow", "mode", "moon", "morning", "mountain", "mouse", "mud", "night", "paper",
  "pine", "poetry", "pond", "queen", "rain", "recipe", "resonance", "rice", "river", "salad", "scene",
  "sea", "shadow", "shape", "silence", "sky", "smoke", "snow", "snowflake", "sound", "star", "surf",
  "term", "thunder", "tooth", "tree", "truth", "union", "unit", "violet", "voice", "water", "waterfall",
  "wave", "wildflower", "wind", "wood",
];

function pick(words: readonly string[]): string {
  return words[randomInt(words.length)];
}

/** A Neon-looking `adjective-noun-12345678` name; callers add a prefix and check for collisions. */
export function neonName(): string {
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${String(randomInt(100_000_000)).padStart(8, "0")}`;
}

/** Project ids look like `withered-sun-12345678`. */
export const projectId = (): string => neonName();
/** Branch ids look like `br-withered-sun-12345678`. */
export const branchId = (): string => `br-${neonName()}`;
/** Endpoint ids look like `ep-withered-sun-12345678`; they are also the first label of the compute host. */
export const endpointId = (): string => `ep-${neonName()}`;
/** Operation ids are UUIDs, as the OpenAPI document requires. */
export const operationId = (): string => randomUUID();
/** Request ids go into `x-neon-ret-request-id`. */
export const requestId = (): string => randomUUID();

/** A random role password in Neon's style (`npg_` + 12 alphanumerics). */
export function rolePassword(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return `npg_${Array.from(randomBytes(12), (b) => alphabet[b % alphabet.length]).join("")}`;
}

/**
 * Returns a fresh id from `make` that `taken` does not hold. Ids carry 8 random digits, so a clash is rare;
 * retrying keeps them unique without a global counter that would make ids predictable.
 */
export function uniqueId(make: () => string, taken: (id: string) => boolean): string {
  for (;;) {
    const id = make();
    if (!taken(id)) return id;
  }
}
