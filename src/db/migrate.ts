// Applies the SQL migrations in drizzle/ with drizzle's migrator for the open driver.
// Idempotent: applied migrations are recorded in drizzle.__drizzle_migrations and skipped.

import { dirname } from "node:path";
import { type SQL, sql } from "drizzle-orm";
import { type MigrationConfig, readMigrationFiles } from "drizzle-orm/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { Database, Schema } from "./client.ts";
import { JOURNAL_PATH } from "./migration-files.ts";

/**
 * The drizzle/ folder (SQL files and meta/_journal.json): the repository's, or the copy that
 * build.ts embeds at the root of a compiled binary's virtual file system.
 */
export const MIGRATIONS_FOLDER = dirname(dirname(JOURNAL_PATH));

/**
 * Brings the schema up to date by applying, in one transaction, every migration in
 * `migrationsFolder` not yet recorded. Safe to call on every start-up.
 */
export async function migrateDatabase(
  database: Database,
  migrationsFolder: string = MIGRATIONS_FOLDER,
): Promise<void> {
  const config: MigrationConfig = { migrationsFolder };
  // `kind` tells which driver built `db`; both drizzle migrators only use the dialect and session
  // every pg-core database has, so the narrowing is a type-level formality.
  switch (database.kind) {
    case "pglite":
      return migratePglite(database.db as PgliteDatabase<Schema>, config);
    case "postgres":
      return migratePostgres(database.db as PostgresJsDatabase<Schema>, config);
  }
}

/** Where a database stands against the migrations this program carries. */
export interface MigrationStatus {
  /** Migrations recorded as applied. */
  applied: number;
  /** Migrations of this program not yet applied (the next start or `opendray migrate` applies them). */
  pending: number;
  /** Applied migrations this program does not know: the database is newer than the program. */
  unknown: number;
}

/** Compares drizzle's record of applied migrations with `migrationsFolder`, without changing anything. */
export async function migrationStatus(
  database: Database,
  migrationsFolder: string = MIGRATIONS_FOLDER,
): Promise<MigrationStatus> {
  const known = readMigrationFiles({ migrationsFolder });
  const exists = await rows<{ table: string | null }>(
    database,
    sql`select to_regclass('drizzle.__drizzle_migrations')::text as table`,
  );
  const applied = exists[0]?.table
    ? await rows<{ hash: string; created_at: string | number }>(
        database,
        sql`select hash, created_at from drizzle.__drizzle_migrations`,
      )
    : [];
  // drizzle's migrator applies every migration newer than the newest one recorded.
  const newest = Math.max(0, ...applied.map((row) => Number(row.created_at)));
  const hashes = new Set(known.map((migration) => migration.hash));
  return {
    applied: applied.length,
    pending: known.filter((migration) => migration.folderMillis > newest).length,
    unknown: applied.filter((row) => !hashes.has(row.hash)).length,
  };
}

/** Rows of a raw query; drizzle's `execute` result is an array (postgres.js) or `{ rows }` (PGlite). */
async function rows<T>(database: Database, query: SQL): Promise<T[]> {
  const result: unknown = await database.db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
