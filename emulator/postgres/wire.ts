/**
 * The few pieces of the Postgres wire protocol (v3) the front door speaks itself: framing of the client's
 * byte stream, the startup packets, and the backend messages sent before a client reaches its database.
 * Everything after authentication is passed through to PGlite untouched. Bytes are plain Uint8Arrays
 * (this TypeScript's lib no longer treats Node's Buffer as one).
 */

/** Protocol version 3.0, the only one clients send in a StartupMessage today. */
const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A packet sent before authentication, identified by the code in its second word. */
export type StartupPacket =
  | { kind: "ssl" }
  | { kind: "gssenc" }
  | { kind: "cancel" }
  | { kind: "startup"; params: Record<string, string> }
  | { kind: "unsupported"; code: number };

/** One typed frontend message: its type byte, its body, and the whole frame as received. */
export interface FrontendMessage {
  type: string;
  body: Uint8Array;
  raw: Uint8Array;
}

/** Big-endian int32 at `offset`. */
export function int32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getInt32(offset);
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** UTF-8 text of bytes. */
export function text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Cuts a client's byte stream into packets, whatever the TCP chunking. */
export class FrameReader {
  private buffer: Uint8Array = new Uint8Array(0);

  /** Appends bytes received from the client. */
  push(chunk: Uint8Array): void {
    this.buffer = this.buffer.length === 0 ? chunk : concat([this.buffer, chunk]);
  }

  /** The next untyped startup-phase packet (length word first), or undefined until it is complete. */
  nextStartupPacket(): StartupPacket | undefined {
    if (this.buffer.length < 8) return undefined;
    const length = int32(this.buffer, 0);
    if (this.buffer.length < length) return undefined;
    const raw = this.take(length);
    const code = int32(raw, 4);
    if (code === SSL_REQUEST) return { kind: "ssl" };
    if (code === GSSENC_REQUEST) return { kind: "gssenc" };
    if (code === CANCEL_REQUEST) return { kind: "cancel" };
    if (code !== PROTOCOL_3) return { kind: "unsupported", code };
    return { kind: "startup", params: parseStartupParams(raw.subarray(8)) };
  }

  /** The next typed message (type byte, then length word), or undefined until it is complete. */
  nextMessage(): FrontendMessage | undefined {
    if (this.buffer.length < 5) return undefined;
    const length = int32(this.buffer, 1);
    if (this.buffer.length < length + 1) return undefined;
    const raw = this.take(length + 1);
    return { type: String.fromCharCode(raw[0]), body: raw.subarray(5), raw };
  }

  private take(n: number): Uint8Array {
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }
}

/** `key\0value\0...\0` pairs of a StartupMessage body. */
function parseStartupParams(body: Uint8Array): Record<string, string> {
  const parts = text(body).split("\0");
  const params: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length && parts[i] !== ""; i += 2) params[parts[i]] = parts[i + 1];
  return params;
}

/** Length word (which counts itself) followed by the body. */
function withLength(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setInt32(0, out.length);
  out.set(body, 4);
  return out;
}

/** A StartupMessage carrying `params`: what the front door hands PGlite once the client is authenticated. */
export function startupMessage(params: Record<string, string>): Uint8Array {
  const version = new Uint8Array(4);
  new DataView(version.buffer).setInt32(0, PROTOCOL_3);
  const pairs = encoder.encode(
    `${Object.entries(params)
      .map(([k, v]) => `${k}\0${v}\0`)
      .join("")}\0`,
  );
  return withLength(concat([version, pairs]));
}

/** A typed message in either direction: type byte, length word, body. */
function frame(type: string, body: Uint8Array): Uint8Array {
  return concat([new Uint8Array([type.charCodeAt(0)]), withLength(body)]);
}

/** An Authentication request (`R`) of the given kind (10 = SASL, 11 = SASL continue, 12 = SASL final). */
export function authentication(kind: number, payload = ""): Uint8Array {
  const code = new Uint8Array(4);
  new DataView(code.buffer).setInt32(0, kind);
  return frame("R", concat([code, encoder.encode(payload)]));
}

/** A FATAL ErrorResponse with an SQLSTATE code: the client shows `message` and the connection ends. */
export function fatal(sqlState: string, message: string): Uint8Array {
  const fields = `${["SFATAL", "VFATAL", `C${sqlState}`, `M${message}`].map((f) => `${f}\0`).join("")}\0`;
  return frame("E", encoder.encode(fields));
}

/** A Sync message: ends an extended-protocol exchange a client abandoned mid-way. */
export const SYNC = frame("S", new Uint8Array(0));

/** A simple Query message, for statements the front door runs on a client's behalf (ROLLBACK). */
export function query(sql: string): Uint8Array {
  return frame("Q", encoder.encode(`${sql}\0`));
}
