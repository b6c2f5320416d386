/**
 * Property values as they travel on the Pulumi wire (google.protobuf.Struct converted to plain JS):
 * secrets, unknowns, output values and resource references are objects or strings carrying Pulumi's
 * well-known signatures. The engine double keeps values in this wire form and converts at the edges.
 */

/** A property bag in wire form. */
export type PropertyMap = Record<string, unknown>;

/** Key under which Pulumi marks special values. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** Signature of a secret value. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** Signature of an output value (sent by SDKs when the monitor supports `outputValues`). */
export const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
/** Signature of a resource reference. */
export const RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
/** The sentinel string of a value not known until the resource is created. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** How secrets appear in preview documents and printed outputs, as in `pulumi preview --json`. */
export const REDACTED = "[secret]";

type Special = Record<string, unknown> & { [SIG_KEY]: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function signature(v: unknown): string | undefined {
  return isObject(v) && typeof v[SIG_KEY] === "string" ? (v as Special)[SIG_KEY] : undefined;
}

/** True when `v` is a wire secret `{sig: SECRET_SIG, value}`. */
export function isSecret(v: unknown): v is { value: unknown } {
  return signature(v) === SECRET_SIG;
}

/** Wraps `v` as a wire secret (idempotent). */
export function makeSecret(v: unknown): unknown {
  return isSecret(v) ? v : { [SIG_KEY]: SECRET_SIG, value: v };
}

/** Rebuilds `v`, handing every special (signed) value to `special`; plain containers are copied. */
function mapDeep(v: unknown, special: (v: Special, recurse: (x: unknown) => unknown) => unknown): unknown {
  const recurse = (x: unknown): unknown => mapDeep(x, special);
  if (Array.isArray(v)) return v.map(recurse);
  if (!isObject(v)) return v;
  if (signature(v) !== undefined) return special(v as Special, recurse);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = recurse(x);
  return out;
}

/**
 * Normalizes what an SDK sent into the engine's own form: output values become their plain value
 * (secret-wrapped when secret) or UNKNOWN, so the rest of the engine only meets secrets and unknowns.
 */
export function normalizeInputs(props: PropertyMap): PropertyMap {
  return mapDeep(props, (s, recurse) => {
    if (s[SIG_KEY] !== OUTPUT_VALUE_SIG) return s[SIG_KEY] === SECRET_SIG ? makeSecret(recurse(s.value)) : s;
    const value = "value" in s ? recurse(s.value) : UNKNOWN;
    return s.secret === true ? makeSecret(value) : value;
  }) as PropertyMap;
}

/**
 * The form sent to a provider that accepts neither secrets nor resource references (the dynamic
 * provider): secrets are unwrapped and references become their id, else their URN.
 */
export function forProvider(props: PropertyMap): PropertyMap {
  return mapDeep(props, (s, recurse) => {
    if (s[SIG_KEY] === SECRET_SIG) return recurse(s.value);
    if (s[SIG_KEY] === RESOURCE_REF_SIG) return s.id ?? s.urn;
    return s;
  }) as PropertyMap;
}

/** Replaces every secret with `[secret]`, for preview documents and printed outputs. */
export function redact(v: unknown): unknown {
  return mapDeep(v, (s) => (s[SIG_KEY] === SECRET_SIG ? REDACTED : s));
}

/** True when a secret occurs anywhere inside `v`. */
export function containsSecret(v: unknown): boolean {
  if (isSecret(v)) return true;
  if (Array.isArray(v)) return v.some(containsSecret);
  return isObject(v) && Object.values(v).some(containsSecret);
}

/**
 * Marks what a provider without secret support returned, the way the engine does: a top-level
 * property is secret when the property of the same name in `previous` (the inputs sent, or the old
 * state) held a secret, or when the program listed it in `additionalSecretOutputs`.
 */
export function annotateSecrets(
  returned: PropertyMap,
  previous: PropertyMap,
  additionalSecretOutputs: readonly string[],
): PropertyMap {
  const out: PropertyMap = {};
  for (const [k, v] of Object.entries(returned)) {
    out[k] = containsSecret(previous[k]) || additionalSecretOutputs.includes(k) ? makeSecret(v) : v;
  }
  return out;
}

/** Structural equality of two wire values (key order does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
}

/** One changed leaf of an input diff, keyed by its property path (`quota.logical_size_bytes`). */
export type PathDiffKind = "add" | "delete" | "update";

/**
 * The property paths that differ between old and new inputs, descending into objects (not arrays),
 * like the engine's detailed diff for providers that return none. Keys starting with `__` are
 * engine-internal and never reported.
 */
export function diffPaths(olds: PropertyMap, news: PropertyMap, prefix = ""): Map<string, PathDiffKind> {
  const out = new Map<string, PathDiffKind>();
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  for (const k of keys) {
    if (prefix === "" && k.startsWith("__")) continue;
    const path = prefix ? `${prefix}.${k}` : k;
    const has = [Object.hasOwn(olds, k), Object.hasOwn(news, k)];
    if (!has[1]) out.set(path, "delete");
    else if (!has[0]) out.set(path, "add");
    else if (
      isObject(olds[k]) &&
      isObject(news[k]) &&
      signature(olds[k]) === undefined &&
      signature(news[k]) === undefined
    ) {
      for (const [p, kind] of diffPaths(olds[k] as PropertyMap, news[k] as PropertyMap, path)) out.set(p, kind);
    } else if (!deepEqual(olds[k], news[k])) out.set(path, "update");
  }
  return out;
}

/** Reads the value at a dotted property path, or undefined. */
function getPath(props: PropertyMap, path: string[]): unknown {
  let cur: unknown = props;
  for (const p of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

/**
 * Applies `ignoreChanges`: for each listed path that exists in the old inputs, the new inputs keep
 * the old value (the engine does this before Check so the provider never sees the change).
 */
export function applyIgnoreChanges(
  olds: PropertyMap,
  news: PropertyMap,
  ignoreChanges: readonly string[],
): PropertyMap {
  if (ignoreChanges.length === 0) return news;
  const out = structuredClone(news);
  for (const raw of ignoreChanges) {
    const path = raw.split(".");
    const oldValue = getPath(olds, path);
    if (oldValue === undefined) continue;
    let cur: Record<string, unknown> = out;
    for (const p of path.slice(0, -1)) {
      if (!isObject(cur[p])) cur[p] = {};
      cur = cur[p] as Record<string, unknown>;
    }
    cur[path[path.length - 1]] = structuredClone(oldValue);
  }
  return out;
}
