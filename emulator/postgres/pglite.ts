import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Worker } from "node:worker_threads";

/**
 * The worker's program. Each database gets a worker thread of its own: WASM Postgres then runs off the
 * emulator's event loop (a dump or a long query never stalls the HTTP API), databases use both cores,
 * stopping one gives its ~200 MB of WASM memory back at once, and PGlite's start-up — which uses dynamic
 * `import()` that a `vm` sandbox such as jest's refuses — runs in a plain Node context. The source is
 * inline so the same code works from `dist/` and from TypeScript sources under ts-jest.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { PGlite } = require(workerData.pglite);
const { pgliteWasmModule, initdbWasmModule, fsBundle } = workerData;
let db;
const ops = {
  async start({ snapshot, database, username }) {
    db = await PGlite.create({
      pgliteWasmModule, initdbWasmModule, fsBundle: new Blob([fsBundle]),
      loadDataDir: snapshot && new Blob([snapshot]), database, username,
      postgresqlconf: workerData.postgresqlconf,
    });
  },
  async exec({ message }, id) {
    await db.execProtocolRawStream(message, { onRawData: (chunk) => parentPort.postMessage({ id, data: chunk.slice() }) });
  },
  async sql({ text }) {
    await db.exec(text);
  },
  async lsn() {
    return (await db.exec("select pg_current_wal_insert_lsn()::text as lsn"))[0].rows[0].lsn;
  },
  async dump() {
    return (await db.dumpDataDir("gzip")).arrayBuffer();
  },
  async close() {
    await db.close();
  },
};
parentPort.on("message", async ({ id, op, args }) => {
  try {
    const result = await ops[op](args, id);
    parentPort.postMessage({ id, done: true, result }, result instanceof ArrayBuffer ? [result] : []);
  } catch (err) {
    parentPort.postMessage({ id, done: true, error: String((err && err.message) || err) });
  }
});
`;

/** Node's WebAssembly global, which this project's lib (ES2022, no DOM) does not declare; a compiled module is opaque here. */
declare const WebAssembly: { compile(bytes: Uint8Array): Promise<object> };

/** PGlite's WASM compiled once per process and shared with every worker: compiling it is most of a start. */
interface Assets {
  pgliteWasmModule: object;
  initdbWasmModule: object;
  fsBundle: ArrayBuffer;
}

let assets: Promise<Assets> | undefined;

function loadAssets(): Promise<Assets> {
  assets ??= (async () => {
    const dist = dirname(require.resolve("@electric-sql/pglite"));
    const bytes = async (file: string) => new Uint8Array(await readFile(join(dist, file)));
    return {
      pgliteWasmModule: await WebAssembly.compile(await bytes("pglite.wasm")),
      initdbWasmModule: await WebAssembly.compile(await bytes("initdb.wasm")),
      fsBundle: (await bytes("pglite.data")).buffer as ArrayBuffer,
    };
  })();
  return assets;
}

/**
 * Postgres allocates its shared buffers up front, and in WASM that memory is the worker's: Postgres's 128 MB
 * default would be most of a demo database's footprint, while a branch's working set fits in far less.
 */
const POSTGRESQL_CONF = ["shared_buffers=16MB"];

/** A worker's answer: a chunk of protocol output for call `id`, or the end of that call. */
interface Reply {
  id: number;
  data?: Uint8Array;
  done?: boolean;
  /** A dump's bytes, or a scalar answer such as a WAL position. */
  result?: ArrayBuffer | string;
  error?: string;
}

interface Pending {
  onData?: (bytes: Uint8Array) => void;
  resolve: (result: ArrayBuffer | string | undefined) => void;
  reject: (err: Error) => void;
}

/** How a database starts: from a PGDATA snapshot, or empty (initdb) when there is none. */
export interface StartOptions {
  snapshot?: Blob;
  /** The database and role the backend session runs as; both must exist in the snapshot. */
  database?: string;
  username?: string;
}

/** One PGlite database in its own worker thread. Calls are meant to be made one at a time. */
export class PostgresWorker {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private exited = false;

  private constructor(private readonly worker: Worker) {
    worker.on("message", (reply: Reply) => this.onReply(reply));
    worker.on("error", (err) => this.failAll(err));
    worker.on("exit", () => {
      this.exited = true;
      this.failAll(new Error("the database worker exited"));
    });
  }

  /** False once the worker has ended, whether closed or crashed (a Postgres abort ends it too). */
  get alive(): boolean {
    return !this.exited;
  }

  /** Starts a worker and the database in it. */
  static async start(options: StartOptions): Promise<PostgresWorker> {
    const workerData = {
      pglite: require.resolve("@electric-sql/pglite"),
      postgresqlconf: POSTGRESQL_CONF,
      ...(await loadAssets()),
    };
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
    const db = new PostgresWorker(worker);
    const snapshot = options.snapshot && (await options.snapshot.arrayBuffer());
    try {
      await db.call(
        "start",
        { snapshot, database: options.database, username: options.username },
        undefined,
        snapshot ? [snapshot] : [],
      );
    } catch (err) {
      await worker.terminate();
      throw err;
    }
    return db;
  }

  /** Runs one wire-protocol message; the output streams to `onData` in order. */
  async exec(message: Uint8Array, onData: (bytes: Uint8Array) => void): Promise<void> {
    await this.call("exec", { message }, onData);
  }

  /** Runs SQL statements (one per call where Postgres forbids them in a transaction block). */
  async sql(text: string): Promise<void> {
    await this.call("sql", { text });
  }

  /** Where the write-ahead log ends: it moves exactly when something was written (reads leave it alone). */
  async walPosition(): Promise<string> {
    return String(await this.call("lsn", {}));
  }

  /** The database's PGDATA as a gzipped tarball; committed data only. */
  async dump(): Promise<Blob> {
    const tarball = await this.call("dump", {});
    return new Blob([new Uint8Array(tarball as ArrayBuffer)]);
  }

  /** Shuts Postgres down and ends the worker, freeing its memory. */
  async close(): Promise<void> {
    try {
      await this.call("close", {});
    } finally {
      await this.worker.terminate();
    }
  }

  private call(
    op: string,
    args: object,
    onData?: (bytes: Uint8Array) => void,
    transfer: ArrayBuffer[] = [],
  ): Promise<ArrayBuffer | string | undefined> {
    if (this.exited) return Promise.reject(new Error("the database worker exited"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { onData, resolve, reject });
      this.worker.postMessage({ id, op, args }, transfer);
    });
  }

  private onReply(reply: Reply): void {
    const call = this.pending.get(reply.id);
    if (!call) return;
    if (reply.data) call.onData?.(reply.data);
    if (!reply.done) return;
    this.pending.delete(reply.id);
    if (reply.error) call.reject(new Error(`local Postgres: ${reply.error}`));
    else call.resolve(reply.result);
  }

  private failAll(err: Error): void {
    for (const call of this.pending.values()) call.reject(err);
    this.pending.clear();
  }
}
