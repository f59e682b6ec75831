// PTY_HOST=auto: connect to the DATA_DIR's PTY host, or start one detached (same executable,
// `pty-host` command, its own session via setsid) so that it survives the server's exit.

import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config.ts";
import { selfCommand } from "../self-command.ts";
import { connectHost, HostVersionError, type LinkConnection } from "./client.ts";
import { HOST_LOG_NAME, socketPath } from "./socket-path.ts";

/** How long a freshly started host may take to listen. */
const START_TIMEOUT_MS = 20_000;
/** How often a server waiting for another process's host looks for its socket. */
const WAIT_POLL_MS = 50;
/** argv that runs `opendray pty-host`: the binary itself when compiled, else bun + main.ts. */
export function hostCommand(): string[] {
  return [...selfCommand(), "pty-host"];
}

function isAbsent(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === "ENOENT" || code === "ECONNREFUSED";
}

export interface EnsureOptions {
  /** Told when another host is starting for the directory and this call waits for it. */
  onWaiting?: () => void;
}

/**
 * The connection to the host of `config.dataDir`, started first when none listens.
 * Throws HostVersionError when a host of another protocol version serves the directory.
 */
export async function ensurePtyHost(
  config: Config,
  version: string,
  { onWaiting }: EnsureOptions = {},
): Promise<LinkConnection> {
  const path = socketPath(config.dataDir);
  try {
    return await connectHost(path, config.dataDir, version);
  } catch (error) {
    if (error instanceof HostVersionError || !isAbsent(error)) throw error;
  }
  try {
    await startDetachedHost(config);
  } catch (error) {
    // Another host may be starting for this directory at the same moment (a systemd unit of its
    // own that is not listening yet, or a second server's host): it holds the lock, so ours gave
    // up. Wait for that one to listen before calling it a failure.
    onWaiting?.();
    const other = await waitForHost(path, config, version);
    if (other) return other;
    throw error;
  }
  return connectHost(path, config.dataDir, version);
}

/** Connects as soon as a host listens at `path`; undefined if none does within the timeout. */
async function waitForHost(
  path: string,
  config: Config,
  version: string,
): Promise<LinkConnection | undefined> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      return await connectHost(path, config.dataDir, version);
    } catch (error) {
      if (error instanceof HostVersionError || !isAbsent(error)) throw error;
    }
    // Nothing to wait on but the socket file appearing: poll it, briefly.
    await Bun.sleep(WAIT_POLL_MS);
  }
  return undefined;
}

/** How a PTY host ended: its exit status, or the signal that killed it. */
export interface HostExit {
  exitCode: number | null;
  signal: string | null;
}

/** The ends of the hosts this process started (its children), by pid. */
const startedHosts = new Map<number, Promise<HostExit>>();

/** Resolves with how host `pid` ended, when this process started it; else undefined. */
export function exitOfStartedHost(pid: number): Promise<HostExit> | undefined {
  return startedHosts.get(pid);
}

/** Start `opendray pty-host` in its own session; resolves once it listens. */
export async function startDetachedHost(config: Config): Promise<number> {
  const log = openSync(join(config.dataDir, HOST_LOG_NAME), "a", 0o600);
  try {
    const child = Bun.spawn(hostCommand(), {
      detached: true,
      stdin: "ignore",
      stdout: "pipe",
      stderr: log,
      // Only what the host reads: sessions get their whole environment in each spawn request.
      env: {
        DATA_DIR: config.dataDir,
        SCROLLBACK_BYTES: String(config.scrollbackBytes),
        SNAPSHOT_SCROLLBACK_LINES: String(config.snapshotScrollbackLines),
        PTY_BACKEND: config.ptyBackend,
        LOG_LEVEL: config.logLevel,
      },
    });
    child.unref();
    startedHosts.set(
      child.pid,
      child.exited.then(() => ({
        exitCode: child.exitCode,
        signal: typeof child.signalCode === "string" ? child.signalCode : null,
      })),
    );
    const reader = child.stdout.getReader();
    const timer = setTimeout(() => reader.cancel(), START_TIMEOUT_MS);
    let said = "";
    try {
      while (!said.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        said += new TextDecoder().decode(value);
      }
    } finally {
      clearTimeout(timer);
      reader.releaseLock();
    }
    if (!said.startsWith("ready")) {
      throw new Error(`the PTY host did not start; see ${join(config.dataDir, HOST_LOG_NAME)}`);
    }
    return child.pid;
  } finally {
    closeSync(log);
  }
}
