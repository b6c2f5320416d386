/**
 * A DatabaseBackend wrapper that puts a counting TCP relay in front of every branch's database, so a story can
 * prove that a step (a preview) opened no database connection at all.
 */
import { createConnection, createServer, type Server } from "node:net";
import type { DatabaseBackend } from "../../emulator/databaseBackend";

/** The wrapped backend and how many client connections reached any branch through it. */
export interface CountingBackend extends DatabaseBackend {
  connections(): number;
}

export function countingBackend(inner: DatabaseBackend): CountingBackend {
  let connections = 0;
  const relays = new Map<string, { server: Server; port: number }>();
  return {
    branchCreated: (branch) => inner.branchCreated(branch),
    branchRestored: (projectId, branchId, source) => inner.branchRestored(projectId, branchId, source),
    branchDeleted: (projectId, branchId) => inner.branchDeleted(projectId, branchId),
    projectDeleted: (projectId) => inner.projectDeleted(projectId),
    address(projectId, branchId) {
      const key = `${projectId}/${branchId}`;
      let relay = relays.get(key);
      if (!relay) {
        const target = inner.address(projectId, branchId);
        const server = createServer((client) => {
          connections++;
          const upstream = createConnection(target.port, target.host);
          client.pipe(upstream).pipe(client);
          client.on("error", () => upstream.destroy());
          upstream.on("error", () => client.destroy());
        });
        // Listening on an IP literal binds synchronously, so the port is known right away.
        server.listen(0, "127.0.0.1");
        relay = { server, port: (server.address() as { port: number }).port };
        relays.set(key, relay);
      }
      return { host: "127.0.0.1", port: relay.port };
    },
    connections: () => connections,
    async close() {
      for (const { server } of relays.values()) server.close();
      await inner.close();
    },
  };
}
