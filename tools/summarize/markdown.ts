/**
 * Markdown building blocks that stay readable as plain text in a terminal and never outgrow a size budget:
 * long lists fold into `<details>` with counts, and the whole document has a hard cap.
 */

/** Writes `1234` as `1,234`. */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** `1 tenant`, `2 tenants`. */
export function plural(n: number, noun: string): string {
  return `${count(n)} ${noun}${n === 1 ? "" : "s"}`;
}

/**
 * Inline code of arbitrary text on one line, so neither Markdown nor HTML in it is interpreted, with
 * passwords in connection strings masked (diagnostics may quote one).
 */
export function code(text: string): string {
  const oneLine = text
    .replace(/\s+/g, " ")
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:@\s/]+:)[^@\s]+@/gi, "$1****@")
    .replace(/`/g, "'");
  return `\`${oneLine.length > 400 ? `${oneLine.slice(0, 399)}…` : oneLine}\``;
}

/**
 * A comma-separated list of names that stops before `budget` characters with `… and N more`.
 */
export function nameList(names: readonly string[], budget: number): string {
  let text = "";
  for (let i = 0; i < names.length; i++) {
    const piece = i === 0 ? names[i] : `, ${names[i]}`;
    const rest = names.length - i;
    if (text.length + piece.length + ` … and ${count(rest)} more`.length > budget)
      return `${text} … and ${count(rest)} more`;
    text += piece;
  }
  return text;
}

/**
 * Bullet lines: the first `inline` shown, the rest inside one `<details>` block whose body stops before
 * `budget` characters with a line counting what was left out.
 */
export function foldedBullets(
  lines: readonly string[],
  inline: number,
  budget: number,
  foldTitle: (hidden: number) => string,
): string {
  const shown = lines.slice(0, inline).map((l) => `- ${l}`);
  const hidden = lines.slice(inline);
  if (hidden.length === 0) return shown.join("\n");
  const body: string[] = [];
  let used = 0;
  for (let i = 0; i < hidden.length; i++) {
    const line = `- ${hidden[i]}`;
    if (used + line.length + 40 > budget) {
      body.push(`- … and ${count(hidden.length - i)} more`);
      break;
    }
    body.push(line);
    used += line.length + 1;
  }
  return [...shown, details(foldTitle(hidden.length), body.join("\n"))].join("\n");
}

/** A folded block; GitHub renders it collapsed, a terminal shows the tags and the text. */
export function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/** A Markdown table; numbers are right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const align = header.map((_, i) => (rows.length > 0 && typeof rows[0][i] === "number" ? "--:" : "---"));
  const line = (cells: readonly (string | number)[]): string =>
    `| ${cells.map((c) => (typeof c === "number" ? count(c) : c)).join(" | ")} |`;
  return [line(header), `|${align.join("|")}|`, ...rows.map(line)].join("\n");
}

/**
 * Collects blocks up to a hard character cap. A block that does not fit is dropped and the document
 * ends with one line saying how many blocks were left out, so the cap holds whatever the input.
 */
export class BoundedDocument {
  private readonly blocks: string[] = [];
  private length = 0;
  private dropped = 0;

  /** @param cap the maximum length of {@link text}, the final fold line included. */
  constructor(private readonly cap: number) {}

  /** Room left for blocks, keeping space for the final fold line. */
  remaining(): number {
    return Math.max(0, this.cap - this.length - BoundedDocument.FOLD_RESERVE);
  }

  /** Adds a block (a paragraph, a list, a table) if it fits whole. */
  add(block: string): void {
    const cost = block.length + (this.blocks.length > 0 ? 2 : 0);
    if (this.dropped > 0 || cost > this.remaining()) {
      this.dropped++;
      return;
    }
    this.blocks.push(block);
    this.length += cost;
  }

  /** The document, blocks separated by blank lines. */
  text(): string {
    const fold =
      this.dropped > 0
        ? [
            `… ${plural(this.dropped, "more section")} left out to stay under ${count(this.cap)} characters; run \`neon-fleet summarize\` on the preview JSON for the rest.`,
          ]
        : [];
    return `${[...this.blocks, ...fold].join("\n\n")}\n`;
  }

  private static readonly FOLD_RESERVE = 200;
}
