// Where a session's PTY lives: the one difference between the session manager's two modes.
// InProcessPlacement (in-process-placement.ts): in this process, which writes the session's
// scrollback file and recording and hangs up its sessions when it stops. HostedPlacement
// (hosted-placement.ts, PTY_HOST=auto): in the PtyHost, reached over a HostLink (host-link.ts);
// each HostedSession outlives this process, which mirrors its ring for its viewers.

import type { HostedSessionView } from "./host-link.ts";
import type { LiveSession } from "./live-session.ts";
import type { PtyProcess, PtySpawnOptions } from "./pty.ts";
import type { Recorder } from "./recorder.ts";
import type { ScrollbackJournal } from "./scrollback-store.ts";

export interface PtyPlacement {
  /**
   * Start `session`'s PTY, the session its own sink (no closures per session: docs/memory.md);
   * rejects when it cannot be started.
   */
  spawn(session: LiveSession, options: PtySpawnOptions): Promise<PtyProcess>;
  /** What writes `session`'s scrollback file from this process (nothing when the host does). */
  journal(session: LiveSession): ScrollbackJournal;
  /** What records `session`'s output in this process, if anything here does. */
  recorder(session: LiveSession): Recorder | undefined;
  /** Start serving (connecting to the host): the hosted sessions already running, by id. */
  connect(): Promise<ReadonlyMap<string, HostedSessionView>>;
  /**
   * Once connected: why the sessions a previous process left live, and nobody runs now, ended.
   */
  readonly interruptedReason: string;
  /** Called when the PTYs are lost with where they lived (never for this process's own). */
  onLost(listener: (reason: string) => void): void;
  /** The sessions go on running when this process stops (shutdown only stores their rows). */
  readonly sessionsOutliveServer: boolean;
  /** Let go of the PTYs' place as this process stops. */
  close(): void;
}
