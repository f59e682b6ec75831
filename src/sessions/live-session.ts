// One running session in memory: its PTY, output ring, on-disk journal, viewers and idle clock.
// It owns the transitions running ⇄ idle → stopped | ended and reports them through `onChange`;
// persistence and lifecycle events are the manager's business.

import type { Session, SessionState } from "../protocol/session.ts";
import type { PtyExit, PtyProcess } from "./pty.ts";
import { RingBuffer } from "./ring-buffer.ts";
import type { ScrollbackJournal } from "./scrollback-store.ts";
import { isTerminalReply } from "./terminal-replies.ts";
import { type Feed, Viewer, type ViewerSink } from "./viewer.ts";

/** Time between SIGHUP/SIGTERM and SIGKILL when stopping. */
export const STOP_GRACE_MS = 3000;

export type ChangeKind = "state" | "exited";

export interface LiveSessionOptions {
  scrollbackBytes: number;
  idleAfterMs: number;
  now: () => number;
  onChange: (session: LiveSession, kind: ChangeKind) => void;
}

/** What a transport holds while attached to a session. */
export interface Attachment {
  /**
   * Input bytes from this viewer; false when the program has exited. Terminal query answers
   * count only from the primary viewer.
   */
  write(bytes: Uint8Array): boolean;
  /** The transport drained its send buffer. */
  resume(): void;
  /** The transport closed. */
  detach(): void;
}

export class LiveSession implements Feed {
  readonly ring: RingBuffer;
  exit: PtyExit | undefined;
  /** Resolves once the output of the finished process is in its scrollback file (if it had one). */
  scrollbackSaved: Promise<void> | undefined;

  private pty: PtyProcess | undefined;
  private journal: ScrollbackJournal | undefined;
  private readonly viewers = new Set<Viewer>();
  /** The viewer whose terminal answers reach the program: the last one that typed, else the oldest. */
  private primary: Viewer | undefined;
  private idleTimer: Timer | undefined;
  private killTimer: Timer | undefined;
  private startedMs = 0;
  private lastOutputMs: number | undefined;
  private stopRequested = false;
  /** Shutdown began: output that still arrives is dropped, the ring stays as written to disk. */
  private outputClosed = false;
  // Made on first use: a session that nobody stops holds no promise (see BunTerminalProcess).
  private exitedPromise: Promise<PtyExit> | undefined;
  private resolveExited: ((exit: PtyExit) => void) | undefined;

  constructor(
    /** The resource; mutated in place as the session changes. */
    readonly info: Session,
    /** Shared by every session of a manager. */
    private readonly options: LiveSessionOptions,
    /** Absolute offset of the ring's first byte (an adopted session's replay starts there). */
    initialOffset?: number,
  ) {
    this.ring = new RingBuffer(options.scrollbackBytes, initialOffset);
  }

  /** Resolves once the process is gone and all its output is in the ring. */
  get exited(): Promise<PtyExit> {
    this.exitedPromise ??= this.exit
      ? Promise.resolve(this.exit)
      : new Promise((resolve) => {
          this.resolveExited = resolve;
        });
    return this.exitedPromise;
  }

  /** Wire up the spawned PTY (created with this session as its sink). */
  started(pty: PtyProcess, journal: ScrollbackJournal): void {
    this.pty = pty;
    this.journal = journal;
    this.info.pid = pty.pid;
    this.startedMs = this.options.now();
    this.info.startedAt = new Date(this.startedMs).toISOString();
    this.setState("running");
    this.scheduleIdleCheck(this.options.idleAfterMs);
  }

  /**
   * Take over a process that a previous server started in the PTY host: pid, start time and
   * state stay as stored; the ring already holds the host's replay.
   */
  adopt(pty: PtyProcess, journal: ScrollbackJournal): void {
    this.pty = pty;
    this.journal = journal;
    this.info.pid = pty.pid;
    this.info.outputOffset = this.ring.end;
    this.startedMs = this.info.startedAt ? Date.parse(this.info.startedAt) : this.options.now();
    if (this.info.lastOutputAt) this.lastOutputMs = Date.parse(this.info.lastOutputAt);
    if (this.info.state === "starting") this.setState("running");
    this.scheduleIdleCheck(this.options.idleAfterMs);
  }

  /** The process is out of reach (its PTY host died): stop the clocks, accept no more changes. */
  abandon(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.killTimer);
    this.idleTimer = undefined;
    this.exit ??= { exitCode: null, signal: null };
    this.resolveExited?.(this.exit);
  }

  /** The exit is stored: let the PTY host forget the process. */
  releaseProcess(): void {
    this.pty?.release?.();
  }

  /** The PTY produced output. Hot path: no allocation beyond the ring copy. */
  onData(bytes: Uint8Array): void {
    if (this.outputClosed) return;
    this.ring.append(bytes);
    this.info.outputOffset = this.ring.end;
    this.lastOutputMs = this.options.now();
    this.journal?.touch();
    if (this.info.state === "idle") this.setState("running");
    if (this.idleTimer === undefined) this.scheduleIdleCheck(this.options.idleAfterMs);
    for (const viewer of this.viewers) viewer.notify();
  }

  /** The PTY host's ring overtook this mirror: go on at `offset`; viewers behind are closed 4008. */
  onSkip(offset: number): void {
    if (offset <= this.ring.end) return;
    this.ring.skipTo(offset);
    this.info.outputOffset = offset;
    for (const viewer of this.viewers) viewer.notify();
  }

  onExit(exit: PtyExit): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.killTimer);
    this.idleTimer = undefined;
    this.exit = exit;
    if (this.journal) this.scrollbackSaved = this.journal.close();
    const info = this.info;
    info.exitCode = exit.exitCode;
    info.exitSignal = exit.signal;
    info.endedAt = new Date(this.options.now()).toISOString();
    info.lastOutputAt = this.lastOutputIso();
    info.state = this.stopRequested ? "stopped" : "ended";
    info.endReason = this.stopRequested
      ? "stopped on request"
      : exit.signal
        ? `killed by ${exit.signal}`
        : `exited with code ${exit.exitCode}`;
    this.options.onChange(this, "exited");
    for (const viewer of this.viewers) {
      viewer.event({ type: "state", state: info.state, session: this.snapshot() });
      viewer.notify();
    }
    this.resolveExited?.(exit);
  }

  /** The resource as clients see it now. */
  snapshot(): Session {
    return { ...this.info, args: [...this.info.args], lastOutputAt: this.lastOutputIso() };
  }

  get isRunning(): boolean {
    return this.exit === undefined && this.pty !== undefined;
  }

  attach(sink: ViewerSink, since: number): Attachment {
    const viewer = new Viewer(this, sink, since);
    this.viewers.add(viewer);
    this.primary ??= viewer;
    viewer.start({
      type: "hello",
      session: this.snapshot(),
      offset: this.ring.end,
      bufferStart: this.ring.start,
    });
    return {
      write: (bytes) => {
        if (!this.isRunning) return false;
        if (isTerminalReply(bytes)) {
          if (this.primary === viewer) this.write(bytes);
          return true;
        }
        this.primary = viewer;
        this.write(bytes);
        return true;
      },
      resume: () => viewer.resume(),
      detach: () => viewer.detach(),
    };
  }

  release(viewer: Viewer): void {
    this.viewers.delete(viewer);
    if (this.primary === viewer) this.primary = this.viewers.values().next().value;
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** Input for the program; ignored once it has exited. */
  write(bytes: Uint8Array): void {
    if (this.isRunning) this.pty?.write(bytes);
  }

  resize(cols: number, rows: number): void {
    if (!this.isRunning) return;
    this.pty?.resize(cols, rows);
    this.info.cols = cols;
    this.info.rows = rows;
    for (const viewer of this.viewers) viewer.event({ type: "resize", cols, rows });
  }

  /** SIGHUP and SIGTERM to the process group, SIGKILL after STOP_GRACE_MS; resolves at exit. */
  stop(): Promise<PtyExit> {
    const pty = this.pty;
    if (this.isRunning && pty && !this.stopRequested) {
      this.stopRequested = true;
      pty.signal("SIGHUP");
      pty.signal("SIGTERM");
      this.killTimer = setTimeout(() => pty.signal("SIGKILL"), STOP_GRACE_MS);
    }
    return this.exited;
  }

  /** Close every viewer (deletion, shutdown). */
  closeViewers(code: number, reason: string): void {
    for (const viewer of [...this.viewers]) viewer.end(code, reason);
  }

  /**
   * Shutdown: take no more output (the process does not outlive the server) and write the whole
   * ring, which no longer changes, to the scrollback file; resolves once it is there. Writing
   * while output went on could be overtaken by it again and again on a busy machine.
   */
  closeScrollback(): Promise<void> {
    this.outputClosed = true;
    return this.journal?.close() ?? Promise.resolve();
  }

  private setState(state: SessionState): void {
    if (this.info.state === state) return;
    this.info.state = state;
    this.info.lastOutputAt = this.lastOutputIso();
    this.options.onChange(this, "state");
    const snapshot = this.snapshot();
    for (const viewer of this.viewers) viewer.event({ type: "state", state, session: snapshot });
  }

  // Idle detection without a periodic timer: one timeout, re-armed only for the remainder of the
  // quiet period, and none at all while the session is idle.
  private scheduleIdleCheck(delayMs: number): void {
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (!this.isRunning) return;
      const since = this.lastOutputMs ?? this.startedMs;
      const quietMs = this.options.now() - since;
      if (quietMs >= this.options.idleAfterMs) this.setState("idle");
      else this.scheduleIdleCheck(this.options.idleAfterMs - quietMs);
    }, delayMs);
  }

  private lastOutputIso(): string | null {
    return this.lastOutputMs === undefined ? null : new Date(this.lastOutputMs).toISOString();
  }
}
