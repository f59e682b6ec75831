// PTYs in the PtyHost (PTY_HOST=auto), reached over a HostLink: each HostedSession outlives
// this process, and the host writes its scrollback file and recording. This process mirrors
// the host's ring for its viewers.

import type { HostedSessionView, HostLink } from "./host-link.ts";
import type { LiveSession } from "./live-session.ts";
import type { PtyProcess, PtySpawnOptions } from "./pty.ts";
import type { PtyPlacement } from "./pty-placement.ts";
import type { ScrollbackJournal } from "./scrollback-store.ts";

/** The host writes the scrollback files; the server's mirror ring writes none. */
const NO_JOURNAL: ScrollbackJournal = {
  touch() {},
  flush: async () => {},
  close: async () => {},
};

export class HostedPlacement implements PtyPlacement {
  readonly sessionsOutliveServer = true;

  constructor(
    private readonly host: HostLink,
    /** RECORDING_LIMIT in bytes, for the host to record with; 0: sessions are not recorded. */
    private readonly recordingLimit: number,
  ) {}

  spawn(session: LiveSession, options: PtySpawnOptions): Promise<PtyProcess> {
    return this.host.spawn(session.info.id, options, session, this.recordingLimit);
  }

  journal(): ScrollbackJournal {
    return NO_JOURNAL;
  }

  /** The host records its sessions. */
  recorder(): undefined {
    return undefined;
  }

  connect(): Promise<ReadonlyMap<string, HostedSessionView>> {
    return this.host.connect();
  }

  get interruptedReason(): string {
    return this.host.previousHostGone ?? "the server stopped while the session was live";
  }

  /** The host died: its PTYs hung up with it. */
  onLost(listener: (reason: string) => void): void {
    this.host.onLost(listener);
  }

  /** Disconnect, leaving the host and its sessions running. */
  close(): void {
    this.host.close();
  }
}
