/**
 * One plan file as text and plain data, plus the positions of its nodes. Positions are only looked up when something
 * is reported (an error, a tenant's line), so loading a valid fleet costs one YAML parse per file.
 */
import { isUtf8 } from "node:buffer";
import {
  type Document,
  LineCounter,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  visit,
  type Node,
  type ParsedNode,
  type YAMLMap,
} from "yaml";
import { PlanError } from "../errors";

/** A path into a file's data, as zod reports it: mapping keys and list indexes. */
export type PlanPath = readonly PropertyKey[];

/** Where on a node to point: its value (default) or, for a mapping entry, its key. */
export type Anchor = "value" | "key";

/**
 * Bounds the work of expanding aliases. Sharing one anchor across a few thousand tenants stays legal; a
 * billion-laughs document needs far more expansions and is refused.
 */
const MAX_ALIAS_COUNT = 10_000;

/** Parse options; the same on the error path's second parse, so positions agree. */
const OPTIONS = { prettyErrors: false, uniqueKeys: true } as const;

/** A parsed plan file: its data and a way to point at any node in it. */
export class PlanSource {
  private doc: Document.Parsed | undefined;
  private readonly itemOffsets = new Map<string, number[]>();

  /**
   * Keeps the file's text rather than its YAML document: node trees of a big fleet would stay in memory (and in
   * the garbage collector's way) for positions that only errors need, so {@link error} parses the text again.
   * Item offsets of the top-level lists (tenants, branches) are kept because every tenant reports its line.
   */
  constructor(
    /** The file as shown to users: relative to the current directory. */
    readonly file: string,
    /** The file's content as plain data (mappings, lists, scalars). */
    readonly data: Record<string, unknown>,
    private readonly text: string,
    private readonly lines: LineCounter,
    root: YAMLMap,
  ) {
    for (const pair of root.items) {
      if (isScalar(pair.key) && isSeq(pair.value)) {
        this.itemOffsets.set(
          String(pair.key.value),
          pair.value.items.map((item) => (item as Node).range?.[0] ?? 0),
        );
      }
    }
  }

  /** A problem at the node at `path` (or the deepest existing node on the way to it). */
  error(path: PlanPath, problem: string, anchor: Anchor = "value"): PlanError {
    const { line, col } = this.lines.linePos(this.offset(path, anchor));
    return new PlanError(this.file, line, col, problem);
  }

  /** The 1-based line of item `index` of the top-level list `key`, e.g. a tenant of `tenants`. */
  itemLine(key: string, index: number): number {
    return this.lines.linePos(this.itemOffsets.get(key)?.[index] ?? 0).line;
  }

  private offset(path: PlanPath, anchor: Anchor): number {
    this.doc ??= parseDocument(this.text, OPTIONS);
    let node: Node | null = this.doc.contents;
    let key: Node | null = null;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(this.doc) ?? null;
      let next: Node | null = null;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (pair) {
          key = pair.key as Node;
          next = (pair.value as Node | null) ?? key;
        }
      } else if (isSeq(node) && typeof segment === "number") {
        next = (node.items[segment] as Node | undefined) ?? null;
        key = null;
      }
      if (!next) break;
      node = next;
    }
    const target = anchor === "key" && key ? key : node;
    return target?.range?.[0] ?? 0;
  }
}

/**
 * Parses a plan file's bytes. Returns the source, or the file's problems as one-line errors: not text, YAML syntax
 * (duplicate keys included), several documents, empty, a root that is not a mapping, an alias bomb.
 * `expected` names the top-level keys for the messages, e.g. "tenants (and optionally defaults)".
 */
export function parsePlanFile(file: string, bytes: Buffer, expected: string): PlanSource | PlanError[] {
  const text = decodeText(bytes);
  if (text === undefined)
    return [new PlanError(file, 1, 1, `is binary data, not YAML text; expected a mapping with ${expected}`)];
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...OPTIONS, lineCounter: lines });
  const at = (offset: number, problem: string) => {
    const { line, col } = lines.linePos(offset);
    return new PlanError(file, line, col, problem);
  };
  if (doc.errors.length > 0)
    return doc.errors.map((e) => at(e.pos[0], syntaxProblem(e.code, e.message, text.slice(e.pos[0]))));
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null))
    return [at(0, `is empty; expected a mapping with ${expected}`)];
  if (!isMap(root))
    return [at(root.range[0], `must be a mapping with ${expected}, got ${isSeq(root) ? "a list" : "a single value"}`)];
  try {
    return new PlanSource(
      file,
      doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as Record<string, unknown>,
      text,
      lines,
      root,
    );
  } catch {
    return [
      at(
        firstAliasOffset(doc),
        "expands aliases too many times (a YAML alias bomb?); write the values out instead of nesting aliases",
      ),
    ];
  }
}

/** UTF-8 text without a byte-order mark, or undefined when the bytes are binary. */
function decodeText(bytes: Buffer): string | undefined {
  if (bytes.includes(0) || !isUtf8(bytes)) return undefined;
  const text = bytes.toString("utf8");
  return text.startsWith("\uFEFF") ? text.slice(1) : text;
}

/** A YAML parser error as a plan problem; `rest` is the file's text from the error's position on. */
function syntaxProblem(code: string, message: string, rest: string): string {
  switch (code) {
    case "DUPLICATE_KEY":
      return `duplicate key ${JSON.stringify(/^[^:,\n}]*/.exec(rest)![0].trim())}; each key may appear once in a mapping`;
    case "MULTIPLE_DOCS":
      return "holds several YAML documents (---); keep one document per plan file";
    default:
      return `invalid YAML: ${message.split("\n")[0]}`;
  }
}

function firstAliasOffset(doc: Document.Parsed): number {
  let offset = 0;
  visit(doc, {
    Alias(_key, node) {
      offset = (node as ParsedNode).range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}
