// Composition root: read the configuration, refuse unsafe binds, start the server, and shut it
// down cleanly on SIGTERM/SIGINT.

import packageJson from "../package.json" with { type: "json" };
import { ConfigError, inheritableEnvironment, loadConfig } from "./config.ts";
import { createLogger } from "./log.ts";
import { startServer } from "./server.ts";

function fail(message: string): never {
  process.stderr.write(`opendray: ${message}\n`);
  process.exit(2);
}

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  if (!config.listen.isLoopback) {
    // Authentication is not built yet: a non-loopback bind would expose an open shell.
    fail(
      `LISTEN_ADDR: ${config.listen.host} is not a loopback address; this version has no ` +
        "authentication yet, so it only listens on 127.0.0.1, ::1 or localhost",
    );
  }

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
