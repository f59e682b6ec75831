// What the session manager needs from a PTY host (PTY_HOST=auto): PTYs that live in another
// process, the sessions it already runs when the server starts, and word when it goes away.
// src/pty-host/ implements it over a unix socket; sessions/ knows nothing of the wire.

import type { PtyExit, PtyProcess, PtySink, PtySpawnOptions } from "./pty.ts";

export interface PtyCallbacks extends PtySink {
  /** The host's ring overtook this server: output resumes at `offset`, the bytes before it are lost. */
  onSkip?(offset: number): void;
}

/**
 * The server's view of a hosted session (one living in the PTY host) that the host was running,
 * or saw end, when this server connected.
 */
export interface HostedSessionView {
  pid: number;
  cols: number;
  rows: number;
  /** Absolute offset of replay[0]. */
  start: number;
  /** The output the host holds. */
  replay: Uint8Array;
  /** Set when the process ended while no server was connected. */
  exit?: PtyExit;
  /** Take over its output and exit (held until the handle's `begin()`). */
  take(callbacks: PtyCallbacks): PtyProcess;
}

/** The server's link to its PTY host: spawns there, and reports what it runs and its loss. */
export interface HostLink {
  /** Connect (starting the host when none runs): the sessions it runs, by session id. */
  connect(): Promise<ReadonlyMap<string, HostedSessionView>>;
  /**
   * A new PTY in the host; rejects when it cannot be started. The host records its output when
   * `recordingLimit` (RECORDING_LIMIT, bytes) is above 0.
   */
  spawn(
    id: string,
    options: PtySpawnOptions,
    callbacks: PtyCallbacks,
    recordingLimit?: number,
  ): Promise<PtyProcess>;
  /**
   * Set once connected when the host that ran this DATA_DIR's sessions before is gone: how it
   * ended, the reason live sessions it does not run ended.
   */
  readonly previousHostGone?: string | undefined;
  /** Called once per lost connection, with how the host ended (as far as known). */
  onLost(listener: (reason: string) => void): void;
  /** Disconnect, leaving the host and its sessions running. */
  close(): void;
}
