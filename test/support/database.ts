// Throwaway databases for tests: a PGlite directory by default, a fresh PostgreSQL database
// when OPENDRAY_TEST_DB=postgres (server from TEST_DATABASE_URL, default local `test`).

import { afterAll, beforeAll, beforeEach } from "bun:test";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type SQL, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { type Database, type DatabaseConfig, type Db, openDatabase } from "../../src/db/client.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { sessions } from "../../src/db/schema.ts";

/** A database that exists only for one test (file); `drop()` deletes it and its data. */
export type TestDatabase = { config: DatabaseConfig; drop(): Promise<void> };

/** The server tests create their databases on, unless TEST_DATABASE_URL says otherwise. */
const DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";

/** The engine under test: PostgreSQL when OPENDRAY_TEST_DB=postgres, else PGlite. */
export function testDatabaseKind(): DatabaseConfig["kind"] {
  return process.env.OPENDRAY_TEST_DB === "postgres" ? "postgres" : "pglite";
}

/**
 * Creates an empty database (no migrations applied) of the kind the environment asks for,
 * or of `kind` for the few tests about one engine. The very first PGlite one costs ~3 s (initdb).
 */
export async function createTestDatabase(
  kind: DatabaseConfig["kind"] = testDatabaseKind(),
): Promise<TestDatabase> {
  return kind === "postgres" ? createPostgresDatabase() : createPglite();
}

/** An open database with every migration applied, for one test file. */
export interface MigratedTestDatabase {
  database: Database;
  /** Close it and drop it. */
  dispose(): Promise<void>;
}

/** How long opening a test database may take: PGlite's initdb alone takes ~3 s, a busy machine doubles it. */
export const DB_SETUP_TIMEOUT_MS = 30_000;

/**
 * A migrated database for the tests of the calling file or `describe` block: opened before them
 * (`opened` receives it, to build what the tests use), closed and dropped after them.
 */
export function withMigratedDatabase(opened: (database: Database) => void): void {
  let migrated: MigratedTestDatabase | undefined;
  beforeAll(async () => {
    migrated = await openMigratedTestDatabase();
    opened(migrated.database);
  }, DB_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await migrated?.dispose();
  });
}

/** withMigratedDatabase, with `table` emptied before each test. */
export function withEmptiedTable(table: PgTable, opened: (database: Database) => void): void {
  let database: Database | undefined;
  withMigratedDatabase((migrated) => {
    database = migrated;
    opened(migrated);
  });
  beforeEach(async () => {
    await database?.db.delete(table);
  });
}

/** A new database of the kind the environment asks for, opened and migrated. */
export async function openMigratedTestDatabase(): Promise<MigratedTestDatabase> {
  const testDatabase = await createTestDatabase();
  const database = await openDatabase(testDatabase.config);
  await migrateDatabase(database);
  return {
    database,
    async dispose() {
      await database.close();
      await testDatabase.drop();
    },
  };
}

/**
 * Rows of a raw query. drizzle's `execute` result is driver-shaped (postgres.js: an array,
 * PGlite: `{ rows }`); the repositories never need it, tests sometimes do.
 */
export async function queryRows<T extends Record<string, unknown>>(
  db: Db,
  query: SQL,
): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/**
 * An initialised, empty PGlite directory, copied for each test database. initdb costs ~3 s,
 * a copy ~50 ms, so it is kept in tmpdir across runs, one per PGlite version and user.
 * Built under a staging name and renamed into place, so a reader never sees it half-made.
 */
async function pgliteTemplate(): Promise<string> {
  const entry = Bun.resolveSync("@electric-sql/pglite", import.meta.dir);
  const { version } = JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8"));
  const dir = join(tmpdir(), `opendray-pglite-template-${version}-${process.getuid?.() ?? 0}`);
  if (existsSync(join(dir, "PG_VERSION"))) return dir;
  const staging = await mkdtemp(`${dir}.staging-`);
  const database = await openDatabase({ kind: "pglite", dataDir: staging });
  await database.close();
  // Another test process may have won the race; its template is as good as ours.
  await rename(staging, dir).catch(() => rm(staging, { recursive: true, force: true }));
  return dir;
}

async function createPglite(): Promise<TestDatabase> {
  const template = await pgliteTemplate();
  const dataDir = await mkdtemp(join(tmpdir(), "opendray-pglite-"));
  await cp(template, dataDir, { recursive: true });
  return {
    config: { kind: "pglite", dataDir },
    drop: () => rm(dataDir, { recursive: true, force: true }),
  };
}

async function createPostgresDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
  // Lowercase letters and digits only: safe to splice into SQL as an identifier.
  const name = `opendray_t_${randomBytes(6).toString("hex")}`;
  await withAdmin(adminUrl, (admin) => admin.db.execute(sql.raw(`create database "${name}"`)));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    config: { kind: "postgres", url: url.toString() },
    drop: () =>
      withAdmin(adminUrl, async (admin) => {
        await admin.db.execute(
          sql`select pg_terminate_backend(pid) from pg_stat_activity
              where datname = ${name} and pid <> pg_backend_pid()`,
        );
        await admin.db.execute(sql.raw(`drop database if exists "${name}"`));
      }),
  };
}

async function withAdmin<T>(adminUrl: string, use: (admin: Database) => Promise<T>): Promise<T> {
  let admin: Database;
  try {
    admin = await openDatabase({ kind: "postgres", url: adminUrl });
  } catch (err) {
    throw new Error(
      `OPENDRAY_TEST_DB=postgres but the test server is unreachable (${(err as Error).message}). ` +
        "Start PostgreSQL or set TEST_DATABASE_URL to a server where this user may CREATE DATABASE.",
    );
  }
  try {
    return await use(admin);
  } finally {
    await admin.close();
  }
}

/** A running shell session's row, as the tables that refer to sessions need one. */
export async function insertSessionRow(db: Db, id: string, createdAt = new Date()): Promise<void> {
  await db.insert(sessions).values({
    id,
    name: "s",
    provider: "shell",
    cwd: "/tmp",
    state: "running",
    cols: 80,
    rows: 24,
    createdAt,
  });
}

/** The fields of a session that has not started yet, its row's and its API form's alike. */
export const NOT_STARTED = {
  pid: null,
  exitCode: null,
  exitSignal: null,
  startedAt: null,
  endedAt: null,
  lastOutputAt: null,
  parentSessionId: null,
  createdBy: null,
  endReason: null,
  conversationId: null,
} as const;
