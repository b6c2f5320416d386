import { PostgresWorker } from "./pglite";
import type { SnapshotStore } from "./snapshots";

/** `"name"` with embedded quotes doubled: a Postgres identifier whatever the Neon API allowed in it. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The data every root branch starts from: a fresh cluster (initdb, the slow part: seconds) holding the
 * project's database, owned by its role. PGlite has only `postgres` until told otherwise, and its session
 * runs as the role it is started with, so both must exist before any client connects. Built once per
 * (database, role) pair and kept in the store, so a restart with a data directory skips initdb.
 */
export class Templates {
  private readonly building = new Map<string, Promise<Blob>>();

  constructor(private readonly store: SnapshotStore) {}

  /** The template for a database and role, built on first use. */
  get(databaseName: string, roleName: string): Promise<Blob> {
    const key = `template__${databaseName}__${roleName}`;
    let template = this.building.get(key);
    if (!template) {
      template = this.load(key, databaseName, roleName);
      this.building.set(key, template);
      // A failed build is retried by the next caller instead of being cached.
      template.catch(() => this.building.delete(key));
    }
    return template;
  }

  /** Waits for builds in flight, so nothing keeps running after the backend closes. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.building.values());
  }

  private async load(key: string, databaseName: string, roleName: string): Promise<Blob> {
    const stored = await this.store.get(key);
    if (stored) return stored;
    const db = await PostgresWorker.start({});
    try {
      // The role is a superuser because PGlite's single backend runs every session as it; Neon's owner role
      // is not, which only matters to apps that probe their own privileges.
      if (roleName !== "postgres") await db.sql(`CREATE ROLE ${ident(roleName)} SUPERUSER LOGIN`);
      if (databaseName !== "postgres") await db.sql(`CREATE DATABASE ${ident(databaseName)} OWNER ${ident(roleName)}`);
      const template = await db.dump();
      await this.store.put(key, template);
      return template;
    } finally {
      await db.close();
    }
  }
}
