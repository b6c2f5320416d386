import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Where stopped branches keep their data: gzipped PGDATA tarballs from PGlite's `dumpDataDir`, about 5 MB
 * each. A snapshot is immutable, so a child branch created from a stopped parent shares the parent's bytes.
 */
export interface SnapshotStore {
  /** The branch's latest snapshot, if it has one. */
  get(key: string): Promise<Blob | undefined>;
  put(key: string, snapshot: Blob): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Snapshots held in memory: gone when the process ends. */
export function memorySnapshots(): SnapshotStore {
  const blobs = new Map<string, Blob>();
  return {
    get: async (key) => blobs.get(key),
    put: async (key, snapshot) => void blobs.set(key, snapshot),
    delete: async (key) => void blobs.delete(key),
  };
}

/** Snapshots as `<dir>/<key>.tar.gz` files, so branch data survives an emulator restart. */
export function directorySnapshots(dir: string): SnapshotStore {
  const file = (key: string) => join(dir, `${key.replace(/[^A-Za-z0-9_-]/g, "_")}.tar.gz`);
  return {
    async get(key) {
      try {
        return new Blob([new Uint8Array(await readFile(file(key)))]);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw err;
      }
    },
    async put(key, snapshot) {
      await mkdir(dir, { recursive: true });
      // Written aside then renamed, so a crash mid-write never leaves a truncated snapshot behind.
      await writeFile(`${file(key)}.tmp`, new Uint8Array(await snapshot.arrayBuffer()));
      await rename(`${file(key)}.tmp`, file(key));
    },
    delete: (key) => rm(file(key), { force: true }),
  };
}
