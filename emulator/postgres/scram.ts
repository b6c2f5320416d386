import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The server side of SCRAM-SHA-256 (RFC 5802/7677), the exchange Postgres uses for passwords: the password
 * never crosses the wire, which matters here because the local server speaks no TLS. Channel binding is
 * not offered, so clients use the `n,,`/`y,,` GS2 headers.
 */

const ITERATIONS = 4096;

/** What the server keeps of a password: enough to check a proof, not enough to recover the password. */
export interface ScramSecret {
  salt: Uint8Array;
  iterations: number;
  storedKey: Uint8Array;
  serverKey: Uint8Array;
}

const hmac = (key: Uint8Array, text: string) => new Uint8Array(createHmac("sha256", key).update(text).digest());
const sha256 = (data: Uint8Array) => new Uint8Array(createHash("sha256").update(data).digest());
const base64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");

/** Derives the secret once per branch, so each connection costs two HMACs instead of 4096. */
export function scramSecret(password: string): ScramSecret {
  const salt = new Uint8Array(randomBytes(16));
  const salted = new Uint8Array(pbkdf2Sync(password.normalize("NFKC"), salt, ITERATIONS, 32, "sha256"));
  return {
    salt,
    iterations: ITERATIONS,
    storedKey: sha256(hmac(salted, "Client Key")),
    serverKey: hmac(salted, "Server Key"),
  };
}

/** Splits `a=1,b=2` SCRAM attributes. */
function attributes(text: string): Map<string, string> {
  return new Map(text.split(",").map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
}

/** One client's exchange: `first` answers the client-first message, `final` checks the client-final one. */
export class ScramExchange {
  private clientFirstBare = "";
  private serverFirst = "";
  private nonce = "";

  constructor(private readonly secret: ScramSecret) {}

  /** The server-first message, or undefined when the client-first message is malformed or wants channel binding. */
  first(clientFirst: string): string | undefined {
    const gs2 = clientFirst.match(/^([ny]),[^,]*,(.*)$/);
    if (!gs2) return undefined;
    this.clientFirstBare = gs2[2];
    const clientNonce = attributes(this.clientFirstBare).get("r");
    if (!clientNonce) return undefined;
    this.nonce = clientNonce + base64(new Uint8Array(randomBytes(18)));
    this.serverFirst = `r=${this.nonce},s=${base64(this.secret.salt)},i=${this.secret.iterations}`;
    return this.serverFirst;
  }

  /** The server-final message (`v=...`) when the proof matches the password, otherwise undefined. */
  final(clientFinal: string): string | undefined {
    const proofAt = clientFinal.lastIndexOf(",p=");
    if (proofAt < 0) return undefined;
    const withoutProof = clientFinal.slice(0, proofAt);
    if (attributes(withoutProof).get("r") !== this.nonce) return undefined;
    const proof = new Uint8Array(Buffer.from(clientFinal.slice(proofAt + 3), "base64"));
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const signature = hmac(this.secret.storedKey, authMessage);
    if (proof.length !== signature.length) return undefined;
    const clientKey = proof.map((b, i) => b ^ signature[i]);
    if (!timingSafeEqual(sha256(clientKey), this.secret.storedKey)) return undefined;
    return `v=${base64(hmac(this.secret.serverKey, authMessage))}`;
  }
}
