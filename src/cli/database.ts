// The database for one command (migrate, user …): the embedded one only while no server holds
// DATA_DIR, and only as the user who owns it, so that files written as root never lock the
// service out of its own database.

import { existsSync, statSync } from "node:fs";
import type { Config } from "../config.ts";
import { acquireDataDir, type DataDirLock } from "../data-dir.ts";
import { type Database, openDatabase } from "../db/client.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { CliError } from "./context.ts";

/** Opens the configured database, brings its schema up to date, runs `use`, closes it. */
export async function withDatabase<T>(
  config: Config,
  use: (database: Database) => Promise<T>,
): Promise<T> {
  const lock = config.database.kind === "pglite" ? lockEmbedded(config.dataDir) : null;
  try {
    const database = await openDatabase(config.database);
    try {
      await migrateDatabase(database);
      return await use(database);
    } finally {
      await database.close();
    }
  } finally {
    lock?.release();
  }
}

function lockEmbedded(dataDir: string): DataDirLock {
  checkOwner(dataDir);
  try {
    return acquireDataDir(dataDir);
  } catch (error) {
    throw new CliError(
      `${(error as Error).message}. The embedded database serves one process at a time: stop ` +
        "the server first (systemctl stop opendray), or use the API while it runs",
    );
  }
}

/** Refuse to write into another user's data directory (typically: run as root instead of as the service user). */
export function checkOwner(dataDir: string): void {
  const uid = process.getuid?.();
  if (uid === undefined || !existsSync(dataDir)) return;
  const owner = statSync(dataDir).uid;
  if (owner !== uid) {
    throw new CliError(
      `DATA_DIR ${dataDir} belongs to uid ${owner}, not to you (uid ${uid}); run this command ` +
        "as that user, e.g. runuser -u opendray -- …",
    );
  }
}
