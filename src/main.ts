// Composition root: read the configuration, refuse unsafe binds, start the server, and shut it
// down cleanly on SIGTERM/SIGINT.

import packageJson from "../package.json" with { type: "json" };
import { MIN_SECRET_BYTES } from "./auth/tokens.ts";
import { type Config, ConfigError, inheritableEnvironment, loadConfig } from "./config.ts";
import { createLogger } from "./log.ts";
import { runPtyHost } from "./pty-host/run.ts";
import { startServer } from "./server.ts";

/** Refuse to listen where a weak or missing secret would let anyone forge a token. */
function checkBind(config: Config): void {
  const secretBytes = config.jwtSecret === null ? 0 : Buffer.byteLength(config.jwtSecret);
  if (config.jwtSecret !== null && secretBytes < MIN_SECRET_BYTES) {
    fail(
      `JWT_SECRET: too short (${secretBytes} bytes, at least ${MIN_SECRET_BYTES} needed); ` +
        "generate one with: openssl rand -base64 48",
    );
  }
  if (!config.listen.isLoopback && config.jwtSecret === null) {
    fail(
      `JWT_SECRET: listening on ${config.listen.host} (not loopback) needs JWT_SECRET or ` +
        `JWT_SECRET_FILE with at least ${MIN_SECRET_BYTES} bytes; generate one with: openssl rand -base64 48`,
    );
  }
}

/** The Jupyter-style first-run hint: a one-time link, and the same as a curl command. */
function printSetup(url: string, setupUrl: string): void {
  const token = new URL(setupUrl).hash.slice("#token=".length);
  process.stdout.write(
    `\nNo account exists yet. Create the first admin with this one-time link:\n\n  ${setupUrl}\n\n` +
      `or from a terminal:\n\n  curl -X POST ${url}/api/v1/auth/setup -H 'content-type: application/json' \\\n` +
      `    -d '{"setupToken":"${token}","username":"admin","password":"<12 characters or more>"}'\n\n`,
  );
}

function fail(message: string): never {
  process.stderr.write(`opendray: ${message}\n`);
  process.exit(2);
}

async function main() {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  if (process.argv[2] === "pty-host") return runPtyHost(config, packageJson.version);
  checkBind(config);

  const logger = createLogger(config.logLevel);
  // A bug in one request or session must not take every other session down with the process.
  process.on("unhandledRejection", (reason) =>
    logger.error({ err: reason }, "unhandled rejection"),
  );
  process.on("uncaughtException", (error) => logger.error({ err: error }, "uncaught exception"));
  const server = await startServer(config, {
    version: packageJson.version,
    baseEnv: inheritableEnvironment(process.env),
    logger,
  });
  logger.info(
    { url: server.url, dataDir: config.dataDir, database: config.database.kind },
    "listening",
  );
  if (process.getuid?.() === 0) {
    logger.warn("running as root: every session is a root shell; run OpenDray as a dedicated user");
    process.stderr.write("\nWARNING: OpenDray runs as root, so every session is a root shell.\n\n");
  }
  if (server.setupUrl) printSetup(server.url, server.setupUrl);

  const stop = (signal: string) => {
    logger.info({ signal }, "shutting down");
    server.close().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

main().catch((error) => {
  process.stderr.write(
    `opendray: could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
