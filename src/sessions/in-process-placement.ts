// PTYs in this process (PTY_HOST=off): it writes each session's scrollback file and recording,
// and its sessions end with it.

import type { HostedSessionView } from "./host-link.ts";
import type { LiveSession } from "./live-session.ts";
import type { PtyBackend, PtyProcess, PtySpawnOptions } from "./pty.ts";
import type { PtyPlacement } from "./pty-placement.ts";
import type { Recorder } from "./recorder.ts";
import type { RecordingStore } from "./recording-store.ts";
import type { ScrollbackJournal, ScrollbackStore } from "./scrollback-store.ts";

export class InProcessPlacement implements PtyPlacement {
  readonly interruptedReason = "the server stopped while the session was live";
  readonly sessionsOutliveServer = false;

  constructor(
    private readonly pty: PtyBackend,
    private readonly store: ScrollbackStore,
    private readonly recordings: RecordingStore | undefined,
    /** RECORDING_LIMIT in bytes; 0: sessions are not recorded. */
    private readonly recordingLimit: number,
  ) {}

  async spawn(session: LiveSession, options: PtySpawnOptions): Promise<PtyProcess> {
    return this.pty.spawn(options, session);
  }

  journal(session: LiveSession): ScrollbackJournal {
    return this.store.open(session.info.id, session.ring);
  }

  recorder(session: LiveSession): Recorder | undefined {
    const { info, ring } = session;
    return this.recordings?.open(info.id, ring, info, this.recordingLimit);
  }

  /** No process outlives the one that started it: nothing runs yet. */
  async connect(): Promise<ReadonlyMap<string, HostedSessionView>> {
    return new Map();
  }

  /** Its PTYs end only with their programs or with this process. */
  onLost(): void {}

  close(): void {}
}
