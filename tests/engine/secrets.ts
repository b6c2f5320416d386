/**
 * Encryption of secret values in the state file, modelled on the Pulumi CLI's passphrase secrets
 * provider: a key derived from PULUMI_CONFIG_PASSPHRASE (default empty) and a per-stack salt, AES-256-GCM
 * per value, ciphertext `v1:<nonce>:<sealed>` inside Pulumi's secret envelope.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";
import { FleetError } from "../../provider/errors";
import { SECRET_SIG, SIG_KEY, isSecret, makeSecret } from "./properties";

/** The state file could not be decrypted: wrong PULUMI_CONFIG_PASSPHRASE or a damaged file. */
export class StateDecryptionError extends FleetError {
  constructor(file: string) {
    super(
      `${file}: cannot decrypt secrets; set PULUMI_CONFIG_PASSPHRASE to the passphrase this state was written with`,
    );
  }
}

const CHECK_PLAINTEXT = "pulumi";

/** Encrypts and decrypts single values with one stack key. */
export class PassphraseCrypter {
  private constructor(
    private readonly key: Uint8Array,
    /** `v1:<salt>:<encrypted check>`, stored in the state so a wrong passphrase is detected up front. */
    readonly encryptionSalt: string,
  ) {}

  /** A crypter for a new state: fresh salt. */
  static create(passphrase: string): PassphraseCrypter {
    const salt = bytes(randomBytes(8));
    const key = deriveKey(passphrase, salt);
    return new PassphraseCrypter(key, `v1:${b64(salt)}:${seal(key, CHECK_PLAINTEXT)}`);
  }

  /** The crypter of an existing state; throws StateDecryptionError when the passphrase is wrong. */
  static open(passphrase: string, encryptionSalt: string, file: string): PassphraseCrypter {
    const [version, salt, ...check] = encryptionSalt.split(":");
    if (version !== "v1" || !salt) throw new StateDecryptionError(file);
    const key = deriveKey(passphrase, fromB64(salt));
    try {
      if (unseal(key, check.join(":")) !== CHECK_PLAINTEXT) throw new StateDecryptionError(file);
    } catch {
      throw new StateDecryptionError(file);
    }
    return new PassphraseCrypter(key, encryptionSalt);
  }

  /** Replaces every wire secret in `v` by an encrypted envelope `{sig, ciphertext}`. */
  encryptDeep(v: unknown): unknown {
    if (isSecret(v)) return { [SIG_KEY]: SECRET_SIG, ciphertext: seal(this.key, JSON.stringify(v.value ?? null)) };
    if (Array.isArray(v)) return v.map((x) => this.encryptDeep(x));
    if (typeof v !== "object" || v === null) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.encryptDeep(x)]));
  }

  /** Inverse of encryptDeep: encrypted envelopes become wire secrets again. */
  decryptDeep(v: unknown): unknown {
    if (Array.isArray(v)) return v.map((x) => this.decryptDeep(x));
    if (typeof v !== "object" || v === null) return v;
    const o = v as Record<string, unknown>;
    if (o[SIG_KEY] === SECRET_SIG && typeof o.ciphertext === "string")
      return makeSecret(JSON.parse(unseal(this.key, o.ciphertext)));
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, this.decryptDeep(x)]));
  }
}

/** Node's Buffer and TypeScript 6's Uint8Array typings disagree; crypto gets plain Uint8Arrays. */
const bytes = (b: Buffer | Uint8Array): Uint8Array => Uint8Array.from(b);
const b64 = (b: Uint8Array): string => Buffer.from(b).toString("base64");
const fromB64 = (s: string): Uint8Array => bytes(Buffer.from(s, "base64"));

function deriveKey(passphrase: string, salt: Uint8Array): Uint8Array {
  return bytes(scryptSync(passphrase, salt, 32));
}

function seal(key: Uint8Array, plaintext: string): string {
  const nonce = bytes(randomBytes(12));
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  const parts = [cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()].map(bytes);
  const sealed = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    sealed.set(p, at);
    at += p.length;
  }
  return `v1:${b64(nonce)}:${b64(sealed)}`;
}

function unseal(key: Uint8Array, ciphertext: string): string {
  const [version, nonce, sealed] = ciphertext.split(":");
  if (version !== "v1" || !nonce || !sealed) throw new Error("not a v1 ciphertext");
  const all = fromB64(sealed);
  const decipher = createDecipheriv("aes-256-gcm", key, fromB64(nonce));
  decipher.setAuthTag(all.subarray(all.length - 16));
  return decipher.update(all.subarray(0, all.length - 16), undefined, "utf8") + decipher.final("utf8");
}
