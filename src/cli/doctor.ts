// `opendray doctor`: checks a deployment before (or beside) the server — configuration, secret,
// user, data directory (its files' modes, its free space), database and migrations, providers —
// one line each; exit 1 on a failure.

import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { Command } from "commander";
import { JWT_KEY_FILE } from "../auth/signing-key.ts";
import { type Config, ConfigError } from "../config.ts";
import { acquireDataDir } from "../data-dir.ts";
import { type Database, openDatabase } from "../db/client.ts";
import { migrationStatus } from "../db/migrate.ts";
import { createUsersRepo } from "../db/users-repo.ts";
import { DISK_FULL_BYTES, formatBytes, freeBytes, LOW_DISK_BYTES } from "../disk-space.ts";
import { findExposed, MAX_WALK_ENTRIES } from "../file-modes.ts";
import { BUILTIN_MANIFESTS } from "../providers/builtin.ts";
import { resolveExecutable } from "../providers/detect.ts";
import { LOGIN_SHELL, loadManifests } from "../providers/manifest.ts";
import { type CliContext, CliError } from "./context.ts";
import { secretProblem } from "./serve.ts";

type Status = "ok" | "warn" | "fail";
interface Check {
  status: Status;
  name: string;
  detail: string;
}

export function doctorCommand(ctx: CliContext): Command {
  return new Command("doctor")
    .description("check configuration, database, data directory and providers; exit 1 on a failure")
    .addHelpText(
      "after",
      "\nRun it as the service's user with the service's environment, e.g.\n" +
        "  runuser -u opendray -- env DATA_DIR=/var/lib/opendray opendray doctor",
    )
    .action(async () => {
      const checks = await diagnose(ctx);
      for (const check of checks) {
        process.stdout.write(
          `${check.status.toUpperCase().padEnd(4)}  ${check.name.padEnd(10)}  ${check.detail}\n`,
        );
      }
      const failed = checks.filter((check) => check.status === "fail").length;
      if (failed) throw new CliError(`${failed} check(s) failed`);
      process.stdout.write("no problems found\n");
    });
}

async function diagnose(ctx: CliContext): Promise<Check[]> {
  let config: Config;
  try {
    config = ctx.loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [{ status: "fail", name: "config", detail: error.message }];
  }
  const baseEnv = ctx.baseEnv();
  return [
    checkConfig(config),
    checkSecret(config),
    checkUser(),
    checkDataDir(config.dataDir),
    // Before the database check: opening the embedded database makes its own files private.
    checkFileModes(config.dataDir),
    checkDiskSpace(config.dataDir),
    ...(await checkDatabase(config)),
    ...checkProviders(config, baseEnv),
  ];
}

function checkConfig(config: Config): Check {
  const where = `${config.listen.host}:${config.listen.port}`;
  if (!config.listen.isLoopback && config.trustProxy) {
    return {
      status: "warn",
      name: "config",
      detail:
        `listening on ${where} (not loopback) with TRUST_PROXY: anyone reaching the port ` +
        "directly can claim any client address; firewall it to the proxy, or listen on loopback",
    };
  }
  const scope = config.listen.isLoopback ? "loopback" : "NOT loopback: keep it behind a TLS proxy";
  const proxy = config.trustProxy ? ", trusting X-Forwarded-* from a proxy" : "";
  return { status: "ok", name: "config", detail: `listening on ${where} (${scope})${proxy}` };
}

function checkSecret(config: Config): Check {
  const problem = secretProblem(config);
  if (problem) return { status: "fail", name: "secret", detail: problem };
  return {
    status: "ok",
    name: "secret",
    detail:
      config.jwtSecret === null
        ? `no JWT_SECRET: tokens are signed with DATA_DIR/${JWT_KEY_FILE}, made on the first start and kept (sign-ins survive restarts)`
        : "JWT_SECRET is set and long enough",
  };
}

function checkUser(): Check {
  const uid = process.getuid?.();
  if (uid === 0) {
    return {
      status: "fail",
      name: "user",
      detail: "running as root: every session would be a root shell; use a dedicated user",
    };
  }
  return { status: "ok", name: "user", detail: `uid ${uid ?? "unknown"} (not root)` };
}

function checkDataDir(dataDir: string): Check {
  const name = "data dir";
  if (!existsSync(dataDir)) {
    return {
      status: "ok",
      name,
      detail: `${dataDir} does not exist yet; the first start creates it (0700)`,
    };
  }
  const stat = statSync(dataDir);
  const uid = process.getuid?.();
  if (!stat.isDirectory()) return { status: "fail", name, detail: `${dataDir} is not a directory` };
  if (uid !== undefined && stat.uid !== uid) {
    return {
      status: "fail",
      name,
      detail: `${dataDir} belongs to uid ${stat.uid}, not to this user (uid ${uid})`,
    };
  }
  const mode = (stat.mode & 0o777).toString(8).padStart(4, "0");
  if (stat.mode & 0o077) {
    return {
      status: "fail",
      name,
      detail: `${dataDir} has mode ${mode}: other users could read sessions and the database; chmod 700 it`,
    };
  }
  try {
    accessSync(dataDir, constants.W_OK);
  } catch {
    return { status: "fail", name, detail: `${dataDir} is not writable` };
  }
  return { status: "ok", name, detail: `${dataDir} (mode ${mode}, owned by this user)` };
}

/** Everything under DATA_DIR must be the owner's alone: a readable copy of the database is its password hashes. */
function checkFileModes(dataDir: string): Check {
  const name = "files";
  if (!existsSync(dataDir)) return { status: "ok", name, detail: `${dataDir} does not exist yet` };
  // Another user's directory (or "/") is not ours to judge file by file.
  const owner = statSync(dataDir).uid;
  if (owner !== process.getuid?.()) {
    return { status: "warn", name, detail: `not checked: ${dataDir} belongs to uid ${owner}` };
  }
  const { exposed, complete } = findExposed(dataDir);
  const inside = exposed.filter((entry) => entry.path !== dataDir);
  const walked = complete ? "" : ` (looked at the first ${MAX_WALK_ENTRIES} entries only)`;
  if (inside.length === 0) {
    return { status: "ok", name, detail: `nothing under ${dataDir} is open to others${walked}` };
  }
  const shown = inside
    .slice(0, 3)
    .map(({ path, mode }) => `${path} (mode ${mode.toString(8).padStart(4, "0")})`);
  return {
    status: "fail",
    name,
    detail:
      `${inside.length} path(s) under ${dataDir} are open to group or others: ${shown.join(", ")}` +
      `${inside.length > shown.length ? ", …" : ""}${walked}; fix with: chmod -R go-rwx ${dataDir}`,
  };
}

/**
 * Free space where DATA_DIR lives: below LOW_DISK_BYTES a warning, below DISK_FULL_BYTES a
 * failure (the embedded database cannot start, scrollback stops being written).
 */
function checkDiskSpace(dataDir: string): Check {
  const name = "disk";
  let where = dataDir;
  while (!existsSync(where) && dirname(where) !== where) where = dirname(where);
  const free = freeBytes(where);
  if (free === undefined)
    return { status: "warn", name, detail: `cannot tell the free space of ${where}` };
  const detail = `${formatBytes(free)} free for ${dataDir}`;
  if (free < DISK_FULL_BYTES) {
    return {
      status: "fail",
      name,
      detail: `${detail}: the disk is full; sessions keep running but their scrollback is not written, and the embedded database cannot start`,
    };
  }
  if (free < LOW_DISK_BYTES) {
    return {
      status: "warn",
      name,
      detail: `${detail} (less than ${formatBytes(LOW_DISK_BYTES)}): when it runs out, scrollback stops being written`,
    };
  }
  return { status: "ok", name, detail };
}

async function checkDatabase(config: Config): Promise<Check[]> {
  const name = "database";
  if (config.database.kind === "postgres") {
    const database = await openDatabase(config.database).catch((error: Error) => error);
    if (database instanceof Error) return [{ status: "fail", name, detail: database.message }];
    try {
      return [
        { status: "ok", name, detail: "PostgreSQL reachable" },
        ...(await checkSchema(database)),
      ];
    } finally {
      await database.close();
    }
  }
  const { dataDir } = config.database;
  // Opening it as another user (root, typically) would leave files that user owns in the
  // database, and the service could not open it any more.
  const owner = existsSync(config.dataDir) ? statSync(config.dataDir).uid : undefined;
  if (owner !== undefined && owner !== process.getuid?.()) {
    return [
      {
        status: "warn",
        name,
        detail: `embedded, not opened: DATA_DIR belongs to uid ${owner}; run doctor as that user`,
      },
    ];
  }
  if (!existsSync(join(dataDir, "PG_VERSION"))) {
    return [
      {
        status: "ok",
        name,
        detail: `embedded, not created yet; the first start creates ${dataDir}`,
      },
    ];
  }
  let lock: { release(): void };
  try {
    lock = acquireDataDir(config.dataDir);
  } catch {
    const pid = readPid(join(config.dataDir, "opendray.lock"));
    return [
      {
        status: "warn",
        name,
        detail: `embedded, in use by a running server${pid ? ` (pid ${pid})` : ""}; not opened (one process at a time)`,
      },
    ];
  }
  try {
    const database = await openDatabase(config.database).catch((error: Error) => error);
    if (database instanceof Error) return [{ status: "fail", name, detail: database.message }];
    try {
      return [
        { status: "ok", name, detail: `embedded PGlite in ${dataDir} opens` },
        ...(await checkSchema(database)),
      ];
    } finally {
      await database.close();
    }
  } finally {
    lock.release();
  }
}

async function checkSchema(database: Database): Promise<Check[]> {
  const status = await migrationStatus(database);
  const schema: Check =
    status.unknown > 0
      ? {
          status: "fail",
          name: "migrations",
          detail: `${status.unknown} applied migration(s) unknown to this binary: the database is newer; upgrade OpenDray`,
        }
      : status.pending > 0
        ? {
            status: "warn",
            name: "migrations",
            detail: `${status.pending} pending; the next start (or opendray migrate) applies them`,
          }
        : { status: "ok", name: "migrations", detail: `all ${status.applied} applied` };
  if (status.pending > 0 && status.applied === 0) return [schema];
  const users = await createUsersRepo(database.db).count();
  const accounts: Check =
    users > 0
      ? { status: "ok", name: "accounts", detail: `${users} account(s)` }
      : {
          status: "warn",
          name: "accounts",
          detail:
            "none yet: opendray user add NAME --role admin, or the setup link a loopback start prints",
        };
  return [schema, accounts];
}

/** Which providers' CLIs are on PATH (no probes: doctor must not run them); bad manifests fail. */
function checkProviders(config: Config, baseEnv: Record<string, string>): Check[] {
  const { manifests, errors } = loadManifests({
    builtins: BUILTIN_MANIFESTS,
    dir: join(config.dataDir, "providers"),
  });
  const path = baseEnv.PATH ?? "";
  const checks: Check[] = errors.map((error) => ({
    status: "fail",
    name: "provider",
    detail: error,
  }));
  for (const manifest of manifests.values()) {
    const executable =
      manifest.executable === LOGIN_SHELL ? baseEnv.SHELL || "/bin/sh" : manifest.executable;
    const found = resolveExecutable(executable, { path });
    checks.push(
      found
        ? { status: "ok", name: "provider", detail: `${manifest.id}: ${found}` }
        : {
            status: "warn",
            name: "provider",
            detail: `${manifest.id}: ${executable} not found on PATH`,
          },
    );
  }
  return checks;
}

function readPid(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}
