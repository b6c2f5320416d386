import type { Socket } from "node:net";
import type { BranchEngine, Session } from "./branchEngine";
import { ScramExchange, type ScramSecret } from "./scram";
import { authentication, fatal, FrameReader, type FrontendMessage, type StartupPacket, text } from "./wire";

/** What a branch's front door checks clients against, and where it lets them in. */
export interface Door {
  databaseName: string;
  roleName: string;
  secret: ScramSecret;
  engine: BranchEngine;
}

const SASL = 10;
const SASL_CONTINUE = 11;
const SASL_FINAL = 12;
const MECHANISM = "SCRAM-SHA-256";

/**
 * Serves one client connection the way a Postgres server does up to authentication: refuses TLS and GSS
 * encryption ('N', so clients with sslmode=disable or prefer go on in plain text), checks the database
 * name, runs SCRAM-SHA-256 against the branch's role password, then hands every message to the branch's
 * database. PGlite itself authenticates nobody, hence this door.
 */
export function serveClient(socket: Socket, door: Door): void {
  new ClientConnection(socket, door);
}

type Stage = "startup" | "saslInitial" | "saslFinal" | "ready" | "closed";

class ClientConnection {
  private readonly reader = new FrameReader();
  private stage: Stage = "startup";
  private user = "";
  private params: Record<string, string> = {};
  private readonly scram: ScramExchange;
  private session?: Session;
  /** Messages are handled one after another, each possibly waiting on the database. */
  private work: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: Socket,
    private readonly door: Door,
  ) {
    this.scram = new ScramExchange(door.secret);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      this.reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.work = this.work.then(() => this.drain()).catch((err: Error) => this.refuse("XX000", err.message.split("\n")[0]));
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      this.stage = "closed";
      this.work = this.work.then(() => this.session?.close()).catch(() => undefined);
    });
  }

  private async drain(): Promise<void> {
    while (this.stage !== "closed") {
      if (this.stage === "startup") {
        const packet = this.reader.nextStartupPacket();
        if (!packet) return;
        this.onStartup(packet);
        continue;
      }
      const message = this.reader.nextMessage();
      if (!message) return;
      await this.onMessage(message);
    }
  }

  private onStartup(packet: StartupPacket): void {
    switch (packet.kind) {
      case "ssl":
      case "gssenc":
        this.socket.write("N");
        return;
      case "cancel":
        // Cancelling would need PGlite to interrupt a running query, which it cannot: ignore, as a busy server may.
        return this.end();
      case "unsupported":
        return this.refuse("08P01", `unsupported frontend protocol ${packet.code >> 16}.${packet.code & 0xffff}: the server supports 3.0`);
      case "startup": {
        this.user = packet.params.user ?? "";
        const database = packet.params.database || this.user;
        if (database !== this.door.databaseName) return this.refuse("3D000", `database "${database}" does not exist`);
        this.params = packet.params;
        this.stage = "saslInitial";
        this.socket.write(authentication(SASL, `${MECHANISM}\0\0`));
      }
    }
  }

  private async onMessage(message: FrontendMessage): Promise<void> {
    if (this.stage === "ready") {
      // Terminate closes this client only; PGlite's one backend serves the others.
      if (message.type === "X") return this.end();
      return this.session?.send(message.raw);
    }
    if (message.type !== "p") return this.refuse("08P01", `expected a SASL response, got message type "${message.type}"`);
    if (this.stage === "saslInitial") {
      const mechanismEnd = message.body.indexOf(0);
      const mechanism = text(message.body.subarray(0, mechanismEnd));
      const serverFirst = mechanism === MECHANISM ? this.scram.first(text(message.body.subarray(mechanismEnd + 5))) : undefined;
      if (!serverFirst) return this.refuse("28000", `SASL authentication failed: use ${MECHANISM} without channel binding`);
      this.stage = "saslFinal";
      this.socket.write(authentication(SASL_CONTINUE, serverFirst));
      return;
    }
    const serverFinal = this.scram.final(text(message.body));
    if (!serverFinal || this.user !== this.door.roleName) {
      return this.refuse("28P01", `password authentication failed for user "${this.user}"`);
    }
    this.socket.write(authentication(SASL_FINAL, serverFinal));
    this.stage = "ready";
    this.session = await this.door.engine.open(
      {
        write: (bytes) => this.socket.writable && this.socket.write(bytes),
        kick: () => this.refuse("57P01", "terminating connection: the branch was restored, deleted or stopped"),
      },
      this.params,
    );
  }

  private refuse(sqlState: string, text: string): void {
    if (this.socket.writable) this.socket.write(fatal(sqlState, text));
    this.end();
  }

  private end(): void {
    this.stage = "closed";
    this.socket.end();
  }
}
