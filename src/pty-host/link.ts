// The session manager's PtyHostLink over the PTY host socket: connects (or starts the host) on
// first use, and again after a lost connection, for the next spawn.

import type { Config } from "../config.ts";
import type { PtyHostLink } from "../sessions/host-link.ts";
import type { HostConnection } from "./client.ts";
import { ensurePtyHost } from "./launcher.ts";

export interface HostLinkHandle extends PtyHostLink {
  /** The host's pid once connected (tests stop it). */
  readonly hostPid: number | undefined;
}

export function createPtyHostLink(config: Config, version: string): HostLinkHandle {
  let connection: HostConnection | undefined;
  let connecting: Promise<HostConnection> | undefined;
  let closed = false;
  const listeners = new Set<(reason: string) => void>();

  const connect = (): Promise<HostConnection> => {
    connecting ??= ensurePtyHost(config, version).then(
      (opened) => {
        connection = opened;
        opened.lost.then((reason) => {
          if (connection === opened) {
            connection = undefined;
            connecting = undefined;
          }
          if (!closed) for (const listener of listeners) listener(reason);
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
    async spawn(id, options, callbacks) {
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
