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
  const openRelay = async (projectId: string, branchId: string): Promise<void> => {
    const key = `${projectId}/${branchId}`;
    if (relays.has(key)) return;
    const server = createServer((client) => {
      connections++;
      const target = inner.address(projectId, branchId);
      const upstream = createConnection(target.port, target.host);
      client.pipe(upstream).pipe(client);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    relays.set(key, { server, port: (server.address() as { port: number }).port });
  };
  return {
    // The relay opens with the branch: address() must answer synchronously, and a listen binds asynchronously.
    branchCreated: async (branch) => {
      await inner.branchCreated(branch);
      await openRelay(branch.projectId, branch.branchId);
    },
    branchRestored: (projectId, branchId, source) => inner.branchRestored(projectId, branchId, source),
    branchRestoredToTime: (projectId, branchId, at) => inner.branchRestoredToTime(projectId, branchId, at),
    historyStart: (projectId, branchId) => inner.historyStart(projectId, branchId),
    historyRetentionChanged: (projectId, seconds) => inner.historyRetentionChanged(projectId, seconds),
    branchDeleted: (projectId, branchId) => inner.branchDeleted(projectId, branchId),
    projectDeleted: (projectId) => inner.projectDeleted(projectId),
    address(projectId, branchId) {
      const relay = relays.get(`${projectId}/${branchId}`);
      if (!relay) throw new Error(`no relay for branch ${branchId} of project ${projectId}`);
      return { host: "127.0.0.1", port: relay.port };
    },
    connections: () => connections,
    async close() {
      for (const { server } of relays.values()) server.close();
      await inner.close();
    },
  };
}
