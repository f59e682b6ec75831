// Applies the SQL migrations in drizzle/ with drizzle's migrator for the open driver.
// Idempotent: applied migrations are recorded in drizzle.__drizzle_migrations and skipped.

import { dirname } from "node:path";
import type { MigrationConfig } from "drizzle-orm/migrator";
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
