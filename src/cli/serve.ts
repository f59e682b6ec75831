// `opendray serve` (the default command): refuse unsafe binds, start the server, and shut it down
// cleanly — within SHUTDOWN_TIMEOUT_MS — on SIGTERM or SIGINT.

import { Command } from "commander";
import { MIN_SECRET_BYTES } from "../auth/tokens.ts";
import type { Config } from "../config.ts";
import { createLogger, type Logger } from "../log.ts";
import { type RunningServer, startServer } from "../server.ts";
import { COMMIT, VERSION } from "../version.ts";
import { type CliContext, CliError, USAGE_EXIT_CODE } from "./context.ts";

/**
 * How long a shutdown may take before the process exits anyway (code 1). Closing is normally
 * quick (viewers told, rows written, the database closed); the bound keeps a stuck disk or
 * database from holding a restart hostage. The systemd unit's TimeoutStopSec is longer.
 */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

export function serveCommand(ctx: CliContext): Command {
  return new Command("serve")
    .description("run the server (the default when no command is given)")
    .addHelpText(
      "after",
      "\nConfiguration comes from the environment (LISTEN_ADDR, DATA_DIR, JWT_SECRET_FILE, " +
        "DATABASE_URL, TRUST_PROXY, …);\nsee the Configuration table of the README.",
    )
    .action(() => serve(ctx));
}

async function serve(ctx: CliContext): Promise<void> {
  const config = ctx.loadConfig();
  checkBind(config);

  // JSON for journald and collectors; readable lines when someone watches a terminal.
  const logger = createLogger(config.logLevel, { pretty: process.stderr.isTTY === true });
  // A bug in one request or session must not take every other session down with the process.
  process.on("unhandledRejection", (reason) =>
    logger.error({ err: reason }, "unhandled rejection"),
  );
  process.on("uncaughtException", (error) => logger.error({ err: error }, "uncaught exception"));
  // Signals are caught from the start: one that arrives while the database opens or migrates
  // waits for that to finish, then shuts down, instead of killing the process mid-write.
  let server: RunningServer | undefined;
  let stopping: string | undefined;
  const stop = (signal: string) => {
    stopping ??= signal;
    if (server) shutDown(server, signal, logger);
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));

  server = await startServer(config, {
    version: VERSION,
    commit: COMMIT,
    baseEnv: ctx.baseEnv(),
    logger,
  });
  if (stopping) return shutDown(server, stopping, logger);
  logger.info(
    {
      url: server.url,
      dataDir: config.dataDir,
      database: config.database.kind,
      version: VERSION,
      commit: COMMIT,
    },
    "listening",
  );
  if (process.getuid?.() === 0) {
    logger.warn("running as root: every session is a root shell; run OpenDray as a dedicated user");
    process.stderr.write("\nWARNING: OpenDray runs as root, so every session is a root shell.\n\n");
  }
  if (server.setupUrl) printSetup(server.url, server.setupUrl);
}

/** Close the server and exit 0, or exit 1 when closing fails or outlasts SHUTDOWN_TIMEOUT_MS. */
function shutDown(server: RunningServer, signal: string, logger: Logger): void {
  logger.info({ signal }, "shutting down");
  const deadline = setTimeout(() => {
    logger.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, "shutdown took too long; exiting anyway");
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS);
  server.close().then(
    () => {
      clearTimeout(deadline);
      logger.info("stopped");
      process.exit(0);
    },
    (error) => {
      logger.error({ err: error }, "shutdown failed");
      process.exit(1);
    },
  );
}

/** Refuse to listen where a weak or missing secret would let anyone forge a token. */
function checkBind(config: Config): void {
  const problem = secretProblem(config);
  if (problem) throw new CliError(problem, USAGE_EXIT_CODE);
}

/**
 * Fewest distinct bytes a JWT_SECRET may hold. A random secret of 32 bytes or more has far more
 * (32 random hex digits fall below 8 with a chance under 1e-7); fewer means a typed pattern.
 */
export const MIN_DISTINCT_SECRET_BYTES = 8;

/** Why the configured JWT secret is unsafe for the configured bind, or null; doctor shares it. */
export function secretProblem(config: Config): string | null {
  const secretBytes = config.jwtSecret === null ? 0 : Buffer.byteLength(config.jwtSecret);
  if (config.jwtSecret !== null && secretBytes < MIN_SECRET_BYTES) {
    return (
      `JWT_SECRET: too short (${secretBytes} bytes, at least ${MIN_SECRET_BYTES} needed); ` +
      "generate one with: openssl rand -base64 48"
    );
  }
  const weakness = config.jwtSecret === null ? null : secretWeakness(config.jwtSecret);
  if (weakness) {
    return `JWT_SECRET: ${weakness}, anyone could guess it; generate one with: openssl rand -base64 48`;
  }
  if (!config.listen.isLoopback && config.jwtSecret === null) {
    return (
      `JWT_SECRET: listening on ${config.listen.host} (not loopback) needs JWT_SECRET or ` +
      `JWT_SECRET_FILE with at least ${MIN_SECRET_BYTES} bytes; generate one with: openssl rand -base64 48`
    );
  }
  return null;
}

/** Why a secret long enough is still trivially guessable (whitespace only, few distinct bytes). */
function secretWeakness(secret: string): string | null {
  if (secret.trim() === "") return "only whitespace";
  const distinct = new Set(Buffer.from(secret)).size;
  if (distinct < MIN_DISTINCT_SECRET_BYTES) {
    return `only ${distinct} distinct byte${distinct === 1 ? "" : "s"} (at least ${MIN_DISTINCT_SECRET_BYTES} needed)`;
  }
  return null;
}

/** The Jupyter-style first-run hint: a one-time link, and the same as a curl command. */
function printSetup(url: string, setupUrl: string): void {
  const token = new URL(setupUrl).hash.slice("#token=".length);
  process.stdout.write(
    `\nNo account exists yet. Create the first admin with this one-time link:\n\n  ${setupUrl}\n\n` +
      `or from a terminal:\n\n  curl -X POST ${url}/api/v1/auth/setup -H 'content-type: application/json' \\\n` +
      `    -d '{"setupToken":"${token}","username":"admin","password":"<12 characters or more>"}'\n\n` +
      "or stop the server and run: opendray user add admin --role admin\n\n",
  );
}
