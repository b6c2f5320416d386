/**
 * Connections to tenant databases for migrations: at most `neon-fleet:migrationConcurrency` open per process
 * (one module-level gate), each with a connect timeout and a statement timeout, and connects retried while a
 * suspended compute wakes up (Neon starts it on the first connection; a few seconds of refused or slow connects).
 */
import type { Client, ClientConfig } from "pg";
import { backoff } from "../neon/retryPolicy";

/** Open connections per process unless `neon-fleet:migrationConcurrency` says otherwise. */
export const DEFAULT_MIGRATION_CONCURRENCY = 16;
/** How long one connect attempt may take: a cold Neon compute starts in a few seconds. */
const CONNECT_TIMEOUT_MS = 20_000;
/** Connect attempts before giving up on a tenant. */
const CONNECT_ATTEMPTS = 5;
/** Longest wait between connect attempts. */
const CONNECT_BACKOFF_CAP_MS = 4_000;

/** Network codes and Postgres states that mean "not up yet": worth another connect. */
const WAKING_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "57P03"]);

/** A counting gate; its size can change when the provider is configured. */
class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(public size: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

const gate = new Gate(DEFAULT_MIGRATION_CONCURRENCY);

/** Sets how many tenant databases this process talks to at once. */
export function setMigrationConcurrency(size: number): void {
  gate.size = Math.max(1, Math.floor(size));
}

/** Where and how to connect. */
export interface DatabaseTarget {
  /** Connection string of the branch (holds the password: never logged). */
  connection: string;
  /** Database to use instead of the one in the connection string. */
  database: string;
  /** Role to `SET ROLE` to when it is not the connection string's user. */
  role: string;
  statementTimeoutSeconds: number;
}

/** Runs `work` with a connected client inside the process's concurrency gate; the client is always closed. */
export async function withDatabase<T>(target: DatabaseTarget, work: (client: Client) => Promise<T>): Promise<T> {
  return gate.run(async () => {
    const client = await connect(target);
    try {
      return await work(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  });
}

async function connect(target: DatabaseTarget): Promise<Client> {
  const { Client: PgClient } = require("pg") as typeof import("pg");
  const url = new URL(target.connection);
  url.pathname = `/${encodeURIComponent(target.database)}`;
  const config: ClientConfig = {
    connectionString: url.toString(),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: target.statementTimeoutSeconds * 1000,
    application_name: "neon-fleet migrations",
  };
  for (let attempt = 1; ; attempt++) {
    const client = new PgClient(config);
    // A socket error after connect would otherwise be an unhandled 'error' event that ends the provider process.
    client.on("error", () => undefined);
    try {
      await client.connect();
      const asRole = target.role !== decodeURIComponent(url.username);
      if (asRole) await client.query(`SET ROLE ${client.escapeIdentifier(target.role)}`);
      return client;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (attempt >= CONNECT_ATTEMPTS || !isWaking(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, backoff(attempt, CONNECT_BACKOFF_CAP_MS)));
    }
  }
}

/** A connect failure a waking compute explains (refused, reset, timed out, "the database system is starting up"). */
export function isWaking(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === "string" && WAKING_CODES.has(code)) return true;
  return typeof message === "string" && /timeout|terminated unexpectedly/i.test(message);
}
