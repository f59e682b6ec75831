// Opens the database: embedded PGlite or a PostgreSQL server through postgres.js.
// The only module that knows which; everything else sees one drizzle `Db`.

import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
// PGlite's runtime files, imported as files so that `bun build --compile` embeds them; PGlite
// is handed them directly instead of locating them next to its own module.
import initdbWasmPath from "@electric-sql/pglite/initdb.wasm" with { type: "file" };
import fsBundlePath from "@electric-sql/pglite/pglite.data" with { type: "file" };
import pgliteWasmPath from "@electric-sql/pglite/pglite.wasm" with { type: "file" };
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { DISK_FULL_BYTES, formatBytes, freeBytes } from "../disk-space.ts";
import { makePrivate } from "../file-modes.ts";
import * as schema from "./schema.ts";

/** Where the data lives: an embedded PGlite directory or a `postgres://` URL. */
export type DatabaseConfig =
  | { kind: "pglite"; dataDir: string }
  | { kind: "postgres"; url: string };

/** The schema module, as drizzle sees it. */
export type Schema = typeof schema;

/** One drizzle handle type for both drivers; repositories take this. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

/** An open database; `close()` releases the PGlite instance or the connection pool. */
export type Database = {
  db: Db;
  kind: DatabaseConfig["kind"];
  close(): Promise<void>;
};

/** Connections in the postgres.js pool. */
const POSTGRES_POOL_MAX = 10;
/**
 * How long postgres.js waits for a connection before giving up, in seconds: while the server is
 * away, a request waits at most this long before it is answered 503 database_unavailable.
 */
const POSTGRES_CONNECT_TIMEOUT_S = 5;
/**
 * How long postgres.js waits before reconnecting after a failed connection, in seconds. Its
 * default grows to 20 s, and a query handed to that connection waits it out: requests blocked
 * for up to 20 s during and after an outage. OpenDray's own retries back off instead
 * (sessions/row-writer.ts), so a request hears at once that the server is away.
 */
const POSTGRES_RECONNECT_BACKOFF_S = 0;
/** How long `close()` lets running queries finish before cutting connections, in seconds. */
const POSTGRES_CLOSE_TIMEOUT_S = 5;

/**
 * Opens the database described by `cfg` and checks that it answers a query.
 * Rejects with an Error naming what failed (never the password of a postgres URL).
 * A PGlite `dataDir` is created (mode 0700) when missing.
 */
export async function openDatabase(cfg: DatabaseConfig): Promise<Database> {
  return cfg.kind === "pglite" ? openPglite(cfg.dataDir) : openPostgres(cfg.url);
}

async function compileWasm(path: string): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await Bun.file(path).arrayBuffer());
}

/**
 * PGlite's buffer pool. Its default, 128MB, lives in the server's own memory and is touched at
 * start: an idle server measured 341 MiB of RSS with it and 213 MiB with 16MB. OpenDray's tables
 * are small, and the files behind them stay in the system's page cache.
 */
const PGLITE_SHARED_BUFFERS = "16MB";

async function openPglite(dataDir: string): Promise<Database> {
  let client: PGlite;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // initdb runs only for a new directory; compiling its module costs time on every start.
    const isNew = !existsSync(join(dataDir, "PG_VERSION"));
    const [pgliteWasmModule, initdbWasmModule, fsBundle] = await Promise.all([
      compileWasm(pgliteWasmPath),
      isNew ? compileWasm(initdbWasmPath) : undefined,
      Bun.file(fsBundlePath).arrayBuffer(),
    ]);
    // The files PGlite writes while it starts are the database: private, like everything under
    // DATA_DIR. The umask covers those it creates (relcache init files, 0644 otherwise); the
    // files of a new database it chmods to 0666 itself, and older starts left them so: those
    // are fixed after. Only for the start: sessions spawned later inherit the process's umask.
    const umask = process.umask(0o077);
    try {
      client = await PGlite.create(dataDir, {
        pgliteWasmModule,
        ...(initdbWasmModule ? { initdbWasmModule } : {}),
        fsBundle: new Blob([fsBundle]),
        startParams: [
          ...PGlite.defaultStartParams,
          "-c",
          `shared_buffers=${PGLITE_SHARED_BUFFERS}`,
        ],
      });
    } finally {
      process.umask(umask);
    }
    makePrivate(dataDir);
  } catch (err) {
    throw new Error(
      `cannot open embedded database in ${dataDir}: ${messageOf(err)}${diskFullHint(err, dataDir)}`,
    );
  }
  const db = drizzlePglite({ client, schema });
  return {
    db,
    kind: "pglite",
    async close() {
      if (!client.closed) await client.close();
    },
  };
}

async function openPostgres(url: string): Promise<Database> {
  const secrets = secretsOf(url);
  const where = redactUrl(url);
  const redact = (text: string) => redactAll(text, secrets);
  let client: postgres.Sql;
  try {
    client = postgres(url, {
      max: POSTGRES_POOL_MAX,
      connect_timeout: POSTGRES_CONNECT_TIMEOUT_S,
      backoff: () => POSTGRES_RECONNECT_BACKOFF_S,
      onnotice: () => {},
    });
  } catch (err) {
    throw new Error(`invalid PostgreSQL URL ${where}: ${redact(messageOf(err))}`);
  }
  try {
    await client`select 1`;
  } catch (err) {
    await client.end({ timeout: 0 }).catch(() => {});
    throw new Error(`cannot connect to PostgreSQL at ${where}: ${redact(messageOf(err))}`);
  }
  const db = drizzlePostgres({ client, schema });
  return {
    db,
    kind: "postgres",
    async close() {
      await client.end({ timeout: POSTGRES_CLOSE_TIMEOUT_S });
    },
  };
}

/** Driver and socket error codes that mean the server is out of reach, not that a query is wrong. */
const CONNECTION_ERROR_CODES = new Set([
  // postgres.js
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
  // the socket
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  // SQLSTATE: admin_shutdown, crash_shutdown, cannot_connect_now (starting up, shutting down),
  // too_many_connections
  "57P01",
  "57P02",
  "57P03",
  "53300",
  // disk_full: PGlite and PostgreSQL alike; the write goes through once there is room again
  "53100",
]);

/**
 * True when `error` (or its cause, as drizzle wraps driver errors) says that the database server
 * cannot be reached or is restarting: the same request can succeed later. Anything else (a bad
 * query, a constraint) is not retried. PGlite runs in this process: of these it raises only
 * disk_full.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 5; depth++) {
    if (typeof cause !== "object") return false;
    const { code } = cause as { code?: unknown };
    // SQLSTATE class 08: connection exception.
    if (
      typeof code === "string" &&
      (CONNECTION_ERROR_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))
    )
      return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

/** A one-line description of anything thrown (Error, driver error object, wasm exit status). */
function messageOf(err: unknown): string {
  if (typeof err !== "object" || err === null) return String(err);
  const { message, code, name } = err as { message?: unknown; code?: unknown; name?: unknown };
  // Network errors from postgres.js may carry only a code (e.g. ECONNREFUSED).
  const text = typeof message === "string" && message ? message : String(code ?? name ?? "");
  const described = text || safeJson(err);
  return typeof code === "string" && !described.includes(code)
    ? `${described} (${code})`
    : described;
}

/**
 * "; the disk … is full" when a PGlite failure is a full disk: PGlite says so (ENOSPC, "No space
 * left on device"), or it says nothing useful ("PGlite failed to initialize properly",
 * "ErrnoError", "Aborted()") while the disk holding `dataDir` is next to full. Else "".
 */
function diskFullHint(err: unknown, dataDir: string): string {
  const free = freeBytes(dataDir);
  const saysFull = /ENOSPC|no space left/i.test(`${messageOf(err)} ${String(err)}`);
  if (!saysFull && (free === undefined || free >= DISK_FULL_BYTES)) return "";
  const left = free === undefined ? "" : ` (${formatBytes(free)} free)`;
  return `; the disk holding it is full${left}: free some space, then start again`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const USERINFO_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*:)([^@/?#]*)@/i;
const QUERY_PASSWORD = /([?&]password=)([^&#]*)/i;

/** The URL with its password (userinfo or `?password=`) replaced by `***`. */
function redactUrl(url: string): string {
  return url.replace(USERINFO_PASSWORD, "$1***@").replace(QUERY_PASSWORD, "$1***");
}

/** Every form of the URL's password that could appear in a driver's message. */
function secretsOf(url: string): string[] {
  const found = [USERINFO_PASSWORD.exec(url)?.[2], QUERY_PASSWORD.exec(url)?.[2]];
  const secrets = new Set<string>();
  for (const raw of found) {
    if (!raw) continue;
    secrets.add(raw);
    try {
      secrets.add(decodeURIComponent(raw));
    } catch {
      // A malformed escape: only the raw form can appear in messages.
    }
  }
  return [...secrets];
}

/** Replaces each secret in `text` by `***` (over-redacting short secrets is the safe failure). */
function redactAll(text: string, secrets: string[]): string {
  return secrets.reduce((out, secret) => out.split(secret).join("***"), text);
}
