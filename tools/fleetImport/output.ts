import { createWriteStream, existsSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import type { Writable } from "node:stream";
import { UsageError } from "../../provider/errors";

/** A destination for streamed text that only appears complete: a file is written aside and renamed at the end. */
export interface TextOutput {
  write(chunk: string): Promise<void>;
  /** Makes the output final (renames the file into place). */
  finish(): Promise<void>;
  /** Drops a partial file after a failure. */
  abort(): Promise<void>;
}

/** Streams to `file` (which must not exist: an import never overwrites plans) or, without one, to stdout. */
export function openOutput(file: string | undefined): TextOutput {
  if (file === undefined) {
    return { write: (chunk) => writeTo(process.stdout, chunk), finish: async () => {}, abort: async () => {} };
  }
  if (existsSync(file))
    throw new UsageError(`--out ${file} already exists: pick a new file (import writes only projects the plans lack)`);
  const partial = `${file}.partial`;
  const stream = createWriteStream(partial, { encoding: "utf8" });
  const closed = () =>
    new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return {
    write: (chunk) => writeTo(stream, chunk),
    finish: async () => {
      await closed();
      await rename(partial, file);
    },
    abort: async () => {
      await closed().catch(() => undefined);
      await rm(partial, { force: true });
    },
  };
}

/** Writes and waits for the stream to drain when it asks to, so output never piles up in memory. */
function writeTo(stream: Writable, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = stream.write(chunk, (err) => err && reject(err));
    if (ok) resolve();
    else stream.once("drain", resolve);
  });
}
