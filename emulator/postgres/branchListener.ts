import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { type Door, serveClient } from "./frontDoor";

/**
 * A branch's TCP port. Every emulated project uses the same role and database names, so nothing in the
 * startup packet tells branches apart: each branch gets a port of its own, and its connection strings
 * carry it. Listening costs no memory to speak of; the database behind it starts on first connection.
 */
export class BranchListener {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    /** Where clients reach the branch. */
    readonly address: { host: string; port: number },
  ) {
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  /** Listens on a free port of `host` and serves every client through `door`. */
  static async open(host: string, door: Door): Promise<BranchListener> {
    const server = createServer((socket) => serveClient(socket, door));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, host, resolve);
    });
    return new BranchListener(server, { host, port: (server.address() as AddressInfo).port });
  }

  /** Stops accepting clients and drops the connected ones. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
