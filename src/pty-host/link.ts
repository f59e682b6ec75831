// The server's HostLink to its PtyHost, over the host's socket: opens a LinkConnection (starting
// the host when none runs) on first use, and a new one after a lost connection, for the next spawn.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config.ts";
import type { HostLink } from "../sessions/host-link.ts";
import type { LinkConnection } from "./client.ts";
import { ensurePtyHost, exitOfStartedHost, type HostExit } from "./launcher.ts";
import { HOST_LOCK_NAME } from "./socket-path.ts";

/** How long a lost connection waits for the host process to be gone, to tell how it ended. */
const HOST_GONE_WAIT_MS = 1000;
/** How often the host's /proc entry is checked meanwhile (another process's death has no event). */
const HOST_GONE_POLL_MS = 20;

/** The link, and the host's pid once connected (tests stop it). */
export function createHostLink(
  config: Config,
  version: string,
): HostLink & { readonly hostPid: number | undefined } {
  let connection: LinkConnection | undefined;
  let connecting: Promise<LinkConnection> | undefined;
  let closed = false;
  /** Set by the first connection when the host that ran before it is gone. */
  let previousHostGone: string | undefined;
  let firstConnection = true;
  /**
   * Resolves once the last lost connection is reported: only then may a new one open, or the
   * sessions of the new host would be taken for those of the lost one.
   */
  let lossReported = Promise.resolve();
  const listeners = new Set<(reason: string) => void>();

  /** Opens a connection once the last loss is reported, noting whether the previous host is gone. */
  const open = async (): Promise<LinkConnection> => {
    await lossReported;
    // The lock file keeps the pid of the last host of this DATA_DIR, even of one that was killed.
    const previous = firstConnection ? lastHostPid(config.dataDir) : undefined;
    const opened = await ensurePtyHost(config, version);
    firstConnection = false;
    if (previous !== undefined && previous !== opened.pid) {
      previousHostGone = `the PTY host (pid ${previous}) ended while no server was connected`;
    }
    return opened;
  };

  const connect = (): Promise<LinkConnection> => {
    connecting ??= open().then(
      (opened) => {
        connection = opened;
        opened.lost.then((reason) => {
          if (connection === opened) {
            connection = undefined;
            connecting = undefined;
          }
          lossReported = describeLoss(opened.pid, reason).then((why) => {
            if (!closed) for (const listener of listeners) listener(why);
          });
        });
        return opened;
      },
      (error) => {
        connecting = undefined;
        throw error;
      },
    );
    return connecting;
  };

  return {
    get hostPid() {
      return connection?.pid;
    },
    async connect() {
      return (await connect()).hosted;
    },
    get previousHostGone() {
      return previousHostGone;
    },
    async spawn(id, options, callbacks, recordingLimit = 0) {
      const opened = await connect();
      return opened.spawn(
        {
          id,
          file: options.file,
          args: [...options.args],
          cwd: options.cwd,
          env: options.env,
          cols: options.cols,
          rows: options.rows,
          recordingLimit,
        },
        callbacks,
      );
    },
    onLost(listener) {
      listeners.add(listener);
    },
    close() {
      closed = true;
      connection?.close();
    },
  };
}

function lastHostPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, HOST_LOCK_NAME), "utf8").trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What became of host `pid` whose connection was lost for `reason`: its exit status or signal
 * when this process started it, whether it is gone otherwise.
 */
async function describeLoss(pid: number, reason: string): Promise<string> {
  const host = `the PTY host (pid ${pid})`;
  const started = exitOfStartedHost(pid);
  if (started) {
    const exit = await Promise.race([started, Bun.sleep(HOST_GONE_WAIT_MS)]);
    if (exit) return `${host} ${describeExit(exit)}`;
  } else {
    const deadline = Date.now() + HOST_GONE_WAIT_MS;
    while (Date.now() < deadline) {
      if (!isAlive(pid)) return `${host} exited`;
      await Bun.sleep(HOST_GONE_POLL_MS);
    }
  }
  return `lost the connection to ${host}: ${reason}`;
}

function describeExit(exit: HostExit): string {
  if (exit.signal) return `was killed by ${exit.signal}`;
  return `exited with status ${exit.exitCode}`;
}

/** False once `pid` is gone or a zombie. */
function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
