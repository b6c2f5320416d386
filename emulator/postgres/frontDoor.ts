import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import type { BranchEngine, Session } from "./branchEngine";
import { ScramExchange, type ScramSecret, scramSecret } from "./scram";
import { authentication, fatal, FrameReader, type FrontendMessage, type StartupPacket, text } from "./wire";

/** What a branch's front door checks clients against, and where it lets them in; read at each connection. */
export interface Door {
  /** The database `name` of the branch, or undefined when the branch has no such database. */
  engine(name: string): BranchEngine | undefined;
  /** What the password of login role `name` is checked against, or undefined when the branch has no such role. */
  secret(name: string): ScramSecret | undefined;
}

/** Unknown roles still go through SCRAM and fail at its end, as on Postgres: answers never tell which roles exist. */
const DECOY_SECRET = scramSecret(randomBytes(16).toString("hex"));

const SASL = 10;
const SASL_CONTINUE = 11;
const SASL_FINAL = 12;
const MECHANISM = "SCRAM-SHA-256";

/**
 * Serves one client connection the way a Postgres server does up to authentication: refuses TLS and GSS
 * encryption ('N', so clients with sslmode=disable or prefer go on in plain text), finds the branch's
 * database the client names, runs SCRAM-SHA-256 against the password of the branch role it names, then hands
 * every message to that database. PGlite itself authenticates nobody, hence this door.
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
  private scram = new ScramExchange(DECOY_SECRET);
  private knownRole = false;
  private engine?: BranchEngine;
  private session?: Session;
  /** Messages are handled one after another, each possibly waiting on the database. */
  private work: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: Socket,
    private readonly door: Door,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      this.reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.work = this.work
        .then(() => this.drain())
        .catch((err: Error) => this.refuse("XX000", err.message.split("\n")[0]));
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
        this.end();
        return;
      case "unsupported":
        this.refuse(
          "08P01",
          `unsupported frontend protocol ${packet.code >> 16}.${packet.code & 0xffff}: the server supports 3.0`,
        );
        return;
      case "startup": {
        this.user = packet.params.user ?? "";
        const database = packet.params.database || this.user;
        this.engine = this.door.engine(database);
        if (!this.engine) {
          this.refuse("3D000", `database "${database}" does not exist`);
          return;
        }
        const secret = this.door.secret(this.user);
        this.knownRole = secret !== undefined;
        this.scram = new ScramExchange(secret ?? DECOY_SECRET);
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
    if (message.type !== "p")
      return this.refuse("08P01", `expected a SASL response, got message type "${message.type}"`);
    if (this.stage === "saslInitial") {
      const mechanismEnd = message.body.indexOf(0);
      const mechanism = text(message.body.subarray(0, mechanismEnd));
      const serverFirst =
        mechanism === MECHANISM ? this.scram.first(text(message.body.subarray(mechanismEnd + 5))) : undefined;
      if (!serverFirst)
        return this.refuse("28000", `SASL authentication failed: use ${MECHANISM} without channel binding`);
      this.stage = "saslFinal";
      this.socket.write(authentication(SASL_CONTINUE, serverFirst));
      return;
    }
    const serverFinal = this.scram.final(text(message.body));
    if (!serverFinal || !this.knownRole || !this.engine) {
      return this.refuse("28P01", `password authentication failed for user "${this.user}"`);
    }
    this.socket.write(authentication(SASL_FINAL, serverFinal));
    this.stage = "ready";
    this.session = await this.engine.open(
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
