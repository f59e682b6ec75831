// The database for one command (migrate, user …): the embedded one only while no server holds
// DATA_DIR, and only as the user who owns it, so that files written as root never lock the
// service out of its own database.

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
  try {
    return acquireDataDir(dataDir);
  } catch (error) {
    const message = (error as Error).message;
    if (!message.includes("in use by another OpenDray process")) throw new CliError(message);
    throw new CliError(
      `${message}. The embedded database serves one process at a time: stop the server ` +
        "first (systemctl stop opendray), or use the API while it runs",
    );
  }
}
