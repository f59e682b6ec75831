// `opendray migrate`: apply the SQL migrations embedded in this binary and exit (the server also
// applies them at every start; this is for upgrades done before a restart, or a shared PostgreSQL).

import { Command } from "commander";
import { migrationStatus } from "../db/migrate.ts";
import type { CliContext } from "./context.ts";
import { withDatabase } from "./database.ts";

export function migrateCommand(ctx: CliContext): Command {
  return new Command("migrate")
    .description("apply pending database migrations and exit")
    .action(async () => {
      const config = ctx.loadConfig();
      const status = await withDatabase(config, (database) => migrationStatus(database));
      process.stdout.write(
        `database schema is up to date (${status.applied} migrations, ${config.database.kind})\n`,
      );
    });
}
