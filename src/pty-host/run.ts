// `opendray pty-host`: run the PTY host in the foreground until SIGTERM/SIGINT (which hang up its
// sessions) or until it has had no session and no server for HOST_IDLE_EXIT_MS. Prints "ready"
// on stdout once it listens; logs JSON lines on stderr.

import type { Config } from "../config.ts";
import { createLogger } from "../log.ts";
import { startPtyHost } from "./host.ts";

export function runPtyHost(config: Config, version: string): void {
  const logger = createLogger(config.logLevel);
  process.on("unhandledRejection", (reason) =>
    logger.error({ err: reason }, "unhandled rejection"),
  );
  process.on("uncaughtException", (error) => logger.error({ err: error }, "uncaught exception"));
  // Started detached, but a terminal's hang-up must never take the sessions down.
  process.on("SIGHUP", () => {});
  const host = startPtyHost(config, { version, logger });
  logger.info({ socket: host.socketPath, pid: process.pid, version }, "PTY host listening");
  process.stdout.write("ready\n");
  const stop = (signal: string) => {
    logger.info({ signal }, "PTY host stopping: hanging up its sessions");
    host.close().then(() => process.exit(0));
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}
