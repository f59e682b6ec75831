// `opendray user add|passwd|list`: account management from the server's shell, for the first
// admin and for locked-out ones. Passwords come from a prompt without echo, or from stdin.

import { Command, Option } from "commander";
import { createAccounts, toUser } from "../auth/accounts.ts";
import { createTokenService, randomSecret } from "../auth/tokens.ts";
import { createAuditRepo } from "../db/audit-repo.ts";
import type { Database } from "../db/client.ts";
import { createRevokedTokensRepo } from "../db/revoked-tokens-repo.ts";
import { createUsersRepo } from "../db/users-repo.ts";
import { AppError } from "../errors.ts";
import type { UserRole } from "../protocol/auth.ts";
import { type CliContext, CliError } from "./context.ts";
import { withDatabase } from "./database.ts";
import { readNewPassword } from "./password-input.ts";

/** Audit rows written by these commands name this actor (there is no signed-in user). */
const CLI_ACTOR = "(command line)";

export function userCommand(ctx: CliContext): Command {
  const user = new Command("user").description("manage accounts (add, passwd, list)");

  user
    .command("add")
    .description("create an account; the password is prompted for (or read from stdin)")
    .argument("<name>", "username")
    .addOption(
      new Option("--role <role>", "what the account may do")
        .choices(["admin", "viewer"])
        .default("viewer"),
    )
    .action(async (name: string, options: { role: UserRole }) => {
      const config = ctx.loadConfig();
      const password = await readNewPassword(name);
      const created = await withDatabase(config, async (database) => {
        const created = await domain(() =>
          accountsOf(database).createUser(name, password, options.role),
        );
        await audit(database, "user.create", created.id, { username: name, role: options.role });
        return created;
      });
      process.stdout.write(`created ${created.role} ${created.username}\n`);
    });

  user
    .command("passwd")
    .description("set an account's password; signs the account out everywhere")
    .argument("<name>", "username")
    .action(async (name: string) => {
      const config = ctx.loadConfig();
      // Find the account first, so that nobody types a password for a name that does not exist.
      await withDatabase(config, async (database) => {
        if (!(await createUsersRepo(database.db).findByUsername(name))) throw noSuchUser(name);
      });
      const password = await readNewPassword(name);
      await withDatabase(config, async (database) => {
        const row = await createUsersRepo(database.db).findByUsername(name);
        const updated =
          row && (await domain(() => accountsOf(database).resetPassword(row.id, password)));
        if (!updated) throw noSuchUser(name);
        await audit(database, "auth.password", updated.id, { username: updated.username });
      });
      process.stdout.write(`password of ${name} changed; its older sign-ins no longer work\n`);
    });

  user
    .command("list")
    .description("list accounts")
    .option("--json", "one JSON array instead of a table")
    .action(async (options: { json?: boolean }) => {
      const rows = await withDatabase(ctx.loadConfig(), (database) =>
        createUsersRepo(database.db).list(),
      );
      const users = rows.map(toUser);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(users)}\n`);
        return;
      }
      const width = Math.max(8, ...users.map((u) => u.username.length));
      const lines = [`${"USERNAME".padEnd(width)}  ROLE    CREATED`];
      for (const u of users)
        lines.push(`${u.username.padEnd(width)}  ${u.role.padEnd(6)}  ${u.createdAt}`);
      process.stdout.write(`${lines.join("\n")}\n`);
    });

  return user;
}

/** Accounts for commands that never sign anyone in: the token service is never used. */
function accountsOf(database: Database) {
  return createAccounts({
    users: createUsersRepo(database.db),
    revoked: createRevokedTokensRepo(database.db),
    tokens: createTokenService({ secret: randomSecret(), ttlMs: 60_000 }),
  });
}

/** The domain's refusals (weak_password, username_taken) are the user's to fix: one line, exit 1. */
async function domain<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AppError) throw new CliError(error.message);
    throw error;
  }
}

function audit(
  database: Database,
  action: string,
  target: string,
  detail: Record<string, unknown>,
) {
  return createAuditRepo(database.db).append({
    actor: CLI_ACTOR,
    clientIp: null,
    action,
    target,
    outcome: "ok",
    detail,
  });
}

const noSuchUser = (name: string) => new CliError(`no account named ${JSON.stringify(name)}`);
