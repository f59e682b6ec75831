// One running session in memory: its PTY, output ring, on-disk journal, viewers and idle clock.
// It owns the transitions running ⇄ idle → stopped | ended and reports them through `onChange`;
// persistence and lifecycle events are the manager's business.

import { AttentionTracker, type TrackedSession } from "../attention/tracker.ts";
import type { Session, SessionState } from "../protocol/session.ts";
import { MIN_TERMINAL_CELLS } from "../protocol/stream.ts";
import { isTerminalReply } from "../protocol/terminal-replies.ts";
import type { Attention } from "../providers/manifest.ts";
import type { PtyExit, PtyProcess } from "./pty.ts";
import type { Recorder } from "./recorder.ts";
import { RingBuffer } from "./ring-buffer.ts";
import { type ScreenSnapshot, type ScreenText, TerminalScreen } from "./screen.ts";
import type { ScrollbackJournal } from "./scrollback-store.ts";
import { realTimers, type TimerHandle, type Timers } from "./timers.ts";
import {
  type Feed,
  startsFromSnapshot,
  Viewer,
  type ViewerEndReason,
  type ViewerSink,
} from "./viewer.ts";

/** Time between SIGHUP/SIGTERM and SIGKILL when stopping. */
export const STOP_GRACE_MS = 3000;
/**
 * A session's input budget: with more than this given to its program and not yet taken, the
 * session's input waits (a stream that sends more is paused and told so, REST input is refused).
 */
export const INPUT_BUDGET_BYTES = 1024 * 1024;
/** Input waits no longer once the program has taken all but this much of it. */
export const INPUT_RESUME_BYTES = INPUT_BUDGET_BYTES / 2;
/**
 * Input beyond this much waiting is refused: what a paused stream had already sent (Bun still
 * delivers the messages it has read), and several writers at once, stay below it.
 */
export const INPUT_LIMIT_BYTES = 4 * INPUT_BUDGET_BYTES;
/**
 * A forced repaint (see LiveSession.repaint) widens the PTY back at the program's first output
 * this long or longer after narrowing it (earlier output may predate the narrowing), or after
 * REPAINT_MAX_MS if the program draws nothing.
 */
export const REPAINT_SETTLE_MS = 30;
export const REPAINT_MAX_MS = 300;

/**
 * With PTY_HOST=auto the ring is the server's copy of the host's: kept while viewers watch and
 * for this long after the last one leaves (a reload or a reconnect then gets the exact bytes it
 * missed), then dropped; the host keeps the output and the terminal's state either way.
 */
export const MIRROR_GRACE_MS = 60_000;

export type ChangeKind = "state" | "exited";

export interface LiveSessionOptions {
  scrollbackBytes: number;
  /** Lines of scrollback in the session's terminal state (SNAPSHOT_SCROLLBACK_LINES). */
  snapshotScrollbackLines: number;
  idleAfterMs: number;
  now: () => number;
  /**
   * Schedules the idle check, repaints, SIGKILL, the mirror drop and the close of stalled
   * viewers (default: the real timers).
   */
  timers?: Timers;
  onChange: (session: LiveSession, kind: ChangeKind) => void;
  /** The size policy changed the PTY's size (the manager stores it). */
  onResize: (session: LiveSession) => void;
  /** The session's activity changed (see src/attention/tracker.ts). */
  onActivity: (session: LiveSession) => void;
  /** MIRROR_GRACE (default MIRROR_GRACE_MS). */
  mirrorGraceMs?: number;
}

/**
 * What became of input: given to the program (it may then wait: see ViewerSink.holdInput),
 * refused (more than INPUT_LIMIT_BYTES would wait), or not wanted (the program has exited).
 */
export type InputResult = "written" | "refused" | "ended";

/** What a transport holds while attached to a session. */
export interface Attachment {
  /**
   * Input bytes from this viewer. Terminal query answers count only from the primary viewer, and
   * only once its replay has been sent.
   */
  write(bytes: Uint8Array): InputResult;
  /**
   * The viewer's terminal size. The PTY follows the size policy (see LiveSession.applySize);
   * false once the program has exited.
   */
  resize(cols: number, rows: number): boolean;
  /** The transport drained its send buffer. */
  resume(): void;
  /** The transport closed. */
  detach(): void;
}

export class LiveSession implements Feed, TrackedSession {
  readonly ring: RingBuffer;
  exit: PtyExit | undefined;
  /** Resolves once the output of the finished process is in its scrollback file and recording (if it had them). */
  scrollbackSaved: Promise<void> | undefined;

  private pty: PtyProcess | undefined;
  /** The terminal's state, when this process owns the PTY (a PTY host keeps its own). */
  private screen: TerminalScreen | undefined;
  private journal: ScrollbackJournal | undefined;
  /** Its output with timing, when this process owns the PTY and records (a PTY host records its own). */
  private recorder: Recorder | undefined;
  /** The PTY lives in a PTY host: the ring is a copy of the host's, dropped while unwatched. */
  private hosted = false;
  /** No viewer for the grace period: output is counted, not kept (see MIRROR_GRACE_MS). */
  private mirrorDropped = false;
  /** The ring has held everything the host kept since this server took the session. */
  private mirrorWhole = true;
  private mirrorTimer: TimerHandle;
  /** What the program is doing for its user; set while the process runs. */
  attention: AttentionTracker | undefined;
  private readonly viewers = new Set<Viewer>();
  private readonly timers: Timers;
  /** The viewer whose terminal answers reach the program: the last one that typed, else the oldest. */
  private primary: Viewer | undefined;
  /** The viewer that last typed (terminal answers do not count), if still attached. */
  private typist: Viewer | undefined;
  /** Viewers attached read-only (viewer accounts, share links): never the primary one. */
  private readonly watchers = new Set<Viewer>();
  /** A forced repaint is under way since then: the PTY is a column narrower (see repaint). */
  private repaintFromMs: number | undefined;
  private repaintTimer: TimerHandle;
  private idleTimer: TimerHandle;
  private killTimer: TimerHandle;
  private startedMs = 0;
  private lastOutputMs: number | undefined;
  private stopRequested = false;
  // Invariant: `inputQueued` bytes of input were given to the PTY and not yet reported taken.
  private inputQueued = 0;
  /** Viewers told that their input waits; told again once it flows (made on first use). */
  private inputHeld: Set<Viewer> | undefined;
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
    this.timers = options.timers ?? realTimers;
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
  started(pty: PtyProcess, journal: ScrollbackJournal, recorder?: Recorder): void {
    this.pty = pty;
    this.journal = journal;
    this.recorder = recorder;
    if (!pty.screen) {
      this.screen = new TerminalScreen(this.ring, {
        cols: this.info.cols,
        rows: this.info.rows,
        scrollbackLines: this.options.snapshotScrollbackLines,
      });
    } else this.watchMirror();
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
    if (pty.screen) this.watchMirror();
  }

  /**
   * Follow the program's activity, by its provider's `attention`; `lookNow` reads the
   * screen at once (an adopted session may be waiting already).
   */
  trackAttention(attention: Attention, lookNow = false): void {
    if (!this.isRunning) return;
    this.attention = new AttentionTracker({
      sessionId: this.info.id,
      hooks: attention.hooks,
      patterns: attention.prompts,
      now: this.options.now,
      session: this,
    });
    if (lookNow) this.attention.checkNow();
  }

  /** Where the output ends now (for the attention tracker). */
  get outputEnd(): number {
    return this.ring.end;
  }

  /** The attention tracker's activity changed. */
  activityChanged(): void {
    this.options.onActivity(this);
  }

  /** The text on the terminal's screen now; undefined when no screen is kept. */
  screenText(): Promise<ScreenText | undefined> {
    if (this.screen) return Promise.resolve(this.screen.text());
    if (this.isRunning && this.pty?.text) return this.pty.text();
    return Promise.resolve(undefined);
  }

  /** A hosted session's copy of the host's ring: dropped once unwatched for the grace period. */
  private watchMirror(): void {
    this.hosted = true;
    if (this.viewers.size === 0) this.scheduleMirrorDrop();
  }

  private scheduleMirrorDrop(): void {
    if (!this.hosted || this.mirrorTimer !== undefined || this.exit) return;
    this.mirrorTimer = this.timers.set(() => {
      this.mirrorTimer = undefined;
      if (this.viewers.size > 0 || this.exit) return;
      this.ring.clear();
      this.mirrorDropped = true;
      this.mirrorWhole = false;
    }, this.options.mirrorGraceMs ?? MIRROR_GRACE_MS);
  }

  /** The ring has held all the host kept since this server took the session (see archive). */
  get mirrorIsWhole(): boolean {
    return this.mirrorWhole;
  }

  /**
   * Output from `since` (absent: all that is kept), as GET /output serves it. A hosted session
   * whose copy lacks it asks the PTY host. Callers check `since` against the end first.
   */
  async output(
    since: number | undefined,
    maxBytes = Number.POSITIVE_INFINITY,
  ): Promise<{ start: number; bytes: Uint8Array }> {
    const { ring } = this;
    const from = since ?? (this.mirrorWhole ? ring.start : 0);
    if (from < ring.start && this.isRunning && this.pty?.read) {
      const kept = await this.pty.read(from, maxBytes);
      if (kept) return { start: kept.start, bytes: kept.bytes.subarray(0, maxBytes) };
    }
    const start = Math.max(from, ring.start);
    // The ring changes under the response: a copy.
    return { start, bytes: ring.read(start, maxBytes).slice() };
  }

  /** The process is out of reach (its PTY host died): stop the clocks, accept no more changes. */
  abandon(): void {
    this.stopClocks();
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
    if (this.mirrorDropped) this.ring.skipTo(this.ring.end + bytes.length);
    else {
      this.screen?.willAppend(bytes);
      this.recorder?.willAppend(bytes.length);
      this.ring.append(bytes);
      this.recorder?.output(bytes.length);
    }
    this.info.outputOffset = this.ring.end;
    this.lastOutputMs = this.options.now();
    if (
      this.repaintFromMs !== undefined &&
      this.lastOutputMs - this.repaintFromMs >= REPAINT_SETTLE_MS
    ) {
      this.endRepaint();
    }
    this.journal?.touch();
    this.attention?.output();
    if (this.info.state === "idle") this.setState("running");
    if (this.idleTimer === undefined) this.scheduleIdleCheck(this.options.idleAfterMs);
    for (const viewer of this.viewers) viewer.notify();
    // After the viewers: the terminal's state never delays the output on its way to them.
    this.screen?.touch();
  }

  /** The PTY host's ring overtook this copy: go on at `offset`; viewers behind resync. */
  onSkip(offset: number): void {
    if (offset <= this.ring.end) return;
    this.ring.skipTo(offset);
    this.info.outputOffset = offset;
    for (const viewer of this.viewers) viewer.notify();
  }

  onExit(exit: PtyExit): void {
    this.stopClocks();
    this.exit = exit;
    if (this.journal || this.recorder) this.scrollbackSaved = this.closeFiles();
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

  /**
   * The terminal's state now: from this process's screen, or the PTY host's. Undefined when
   * neither keeps one (the process is gone).
   */
  screenSnapshot(): Promise<ScreenSnapshot | undefined> {
    if (this.screen) return this.screen.snapshot();
    if (this.isRunning && this.pty?.screen) return this.pty.screen();
    return Promise.resolve(undefined);
  }

  /** The resource as clients see it now. */
  snapshot(): Session {
    return {
      ...this.info,
      args: [...this.info.args],
      lastOutputAt: this.lastOutputIso(),
      activity: this.attention?.activity ?? null,
    };
  }

  get isRunning(): boolean {
    return this.exit === undefined && this.pty !== undefined;
  }

  /**
   * A new viewer from `since`: a replay from there, or a snapshot of the terminal when the ring
   * no longer reaches back to `since`, or when no `since` was given and the replay would be
   * longer than REPLAY_LIMIT_BYTES (see src/protocol/stream.ts).
   */
  attach(sink: ViewerSink, since: number | undefined, { readOnly = false } = {}): Attachment {
    const { ring } = this;
    const from = since ?? ring.start;
    const snapshot = this.isRunning && startsFromSnapshot(since, ring, ring.end);
    const viewer = new Viewer(this, sink, from, this.timers);
    this.viewers.add(viewer);
    // Watched again: keep the output from now on (what was dropped comes as a snapshot).
    this.timers.clear(this.mirrorTimer);
    this.mirrorTimer = undefined;
    this.mirrorDropped = false;
    // A read-only viewer never answers the program's terminal queries: the others' answers count.
    if (readOnly) this.watchers.add(viewer);
    else this.primary ??= viewer;
    viewer.start(
      { type: "hello", session: this.snapshot(), offset: ring.end, bufferStart: ring.start },
      snapshot,
    );
    return {
      write: (bytes) => {
        if (readOnly) return "refused";
        if (!this.isRunning) return "ended";
        // Answers reach the program once: from the primary viewer, and never before its replay
        // has been sent (until then they can only answer the replay's old queries).
        const reply = isTerminalReply(bytes);
        if (reply && (this.primary !== viewer || viewer.catchingUp)) return "written";
        if (this.inputQueued + bytes.length > INPUT_LIMIT_BYTES) return "refused";
        if (!reply) this.primary = viewer;
        this.write(bytes);
        if (!reply && this.typist !== viewer) this.typed(viewer);
        if (this.inputQueued > INPUT_BUDGET_BYTES) this.holdInput(viewer);
        return "written";
      },
      resize: (cols, rows) => !readOnly && this.viewerResized(viewer, cols, rows),
      resume: () => viewer.resume(),
      detach: () => viewer.detach(),
    };
  }

  release(viewer: Viewer): void {
    this.viewers.delete(viewer);
    if (this.viewers.size === 0) this.scheduleMirrorDrop();
    this.inputHeld?.delete(viewer);
    this.watchers.delete(viewer);
    if (this.primary === viewer) {
      this.primary = [...this.viewers].find((other) => !this.watchers.has(other));
    }
    // The size it set goes back to the viewers that remain (with none, the size stays).
    const typed = this.typist === viewer;
    if (typed) this.typist = undefined;
    if (typed || viewer.size) this.applySize();
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** Input for the program; ignored once it has exited. Callers keep to the input budget. */
  write(bytes: Uint8Array): void {
    if (!this.isRunning || !this.pty) return;
    this.inputQueued += bytes.length;
    this.pty.write(bytes);
    this.attention?.input();
  }

  /** Bytes of input given to the program and not yet taken (in host mode: not yet reported). */
  get inputBacklog(): number {
    return this.inputQueued;
  }

  /** The PTY took `bytes` of the input. Input held back flows again once little is left. */
  onInputTaken(bytes: number): void {
    // A PTY host may report input that an earlier server gave it: never below zero.
    this.inputQueued = Math.max(0, this.inputQueued - bytes);
    const held = this.inputHeld;
    if (!held || this.inputQueued > INPUT_RESUME_BYTES) return;
    this.inputHeld = undefined;
    for (const viewer of held) {
      viewer.sink.holdInput(false);
      viewer.event({ type: "input", state: "flowing", backlog: this.inputQueued });
    }
  }

  /** `viewer`'s input left more waiting than the budget: it sends no more until it flows. */
  private holdInput(viewer: Viewer): void {
    this.inputHeld ??= new Set();
    if (this.inputHeld.has(viewer)) return;
    this.inputHeld.add(viewer);
    viewer.sink.holdInput(true);
    viewer.event({ type: "input", state: "waiting", backlog: this.inputQueued });
  }

  /**
   * Set the PTY's size and tell every viewer. Viewers' sizes go through `applySize`; a direct
   * call (REST) holds until the policy next changes the size.
   */
  resize(cols: number, rows: number): void {
    if (!this.isRunning) return;
    if (this.repaintTimer !== undefined) {
      this.timers.clear(this.repaintTimer);
      this.repaintTimer = undefined;
      this.repaintFromMs = undefined;
    }
    this.pty?.resize(cols, rows);
    this.screen?.resize(cols, rows);
    this.recorder?.resize(cols, rows);
    this.info.cols = cols;
    this.info.rows = rows;
    for (const viewer of this.viewers) viewer.event({ type: "resize", cols, rows });
  }

  /** `viewer` typed: it sets the size from now on. */
  private typed(viewer: Viewer): void {
    this.typist = viewer;
    this.applySize();
  }

  private viewerResized(viewer: Viewer, cols: number, rows: number): boolean {
    if (!this.isRunning) return false;
    const attaching = viewer.size === undefined;
    viewer.size = { cols, rows };
    if (this.applySize()) return true;
    // The size stays: tell the viewer which size applies, and have the program draw its screen
    // again for a viewer that has just attached (its replay may not show it right).
    const { cols: ptyCols, rows: ptyRows } = this.info;
    if (cols !== ptyCols || rows !== ptyRows) {
      viewer.event({ type: "resize", cols: ptyCols, rows: ptyRows });
    }
    if (attaching) this.repaint();
    return true;
  }

  /**
   * The size policy: the PTY takes the size of the viewer that last typed, else that of the
   * largest viewer (by cells) that gave one; with neither, it keeps its size. Only writers give
   * sizes (viewer-role clients are refused), and a hidden browser tab gives none. True if the
   * size changed.
   */
  private applySize(): boolean {
    if (!this.isRunning || this.outputClosed) return false;
    let size = this.typist?.size;
    if (!size) {
      for (const viewer of this.viewers) {
        const other = viewer.size;
        if (other && (!size || other.cols * other.rows > size.cols * size.rows)) size = other;
      }
    }
    if (!size || (size.cols === this.info.cols && size.rows === this.info.rows)) return false;
    this.resize(size.cols, size.rows);
    this.options.onResize(this);
    return true;
  }

  /**
   * Make the program draw its screen again at the same size. Programs skip a redraw when
   * SIGWINCH brings the size they have (Node's `resize` event is not even emitted), and the
   * kernel sends no SIGWINCH for an unchanged size at all; so the PTY is narrowed by a column and
   * widened back once the program has drawn (see REPAINT_SETTLE_MS). Viewers hear of neither
   * change: the size that applies is `info`'s throughout.
   */
  private repaint(): void {
    if (this.repaintTimer !== undefined || !this.pty) return;
    const { cols, rows } = this.info;
    this.pty.resize(cols > MIN_TERMINAL_CELLS ? cols - 1 : cols + 1, rows, true);
    this.repaintFromMs = this.options.now();
    this.repaintTimer = this.timers.set(() => this.endRepaint(), REPAINT_MAX_MS);
  }

  private endRepaint(): void {
    this.timers.clear(this.repaintTimer);
    this.repaintTimer = undefined;
    this.repaintFromMs = undefined;
    if (this.isRunning) this.pty?.resize(this.info.cols, this.info.rows, true);
  }

  /** SIGHUP and SIGTERM to the process group, SIGKILL after STOP_GRACE_MS; resolves at exit. */
  stop(): Promise<PtyExit> {
    const pty = this.pty;
    if (this.isRunning && pty && !this.stopRequested) {
      this.stopRequested = true;
      pty.signal("SIGHUP");
      pty.signal("SIGTERM");
      this.killTimer = this.timers.set(() => pty.signal("SIGKILL"), STOP_GRACE_MS);
    }
    return this.exited;
  }

  /** Close every viewer (deletion, shutdown). */
  closeViewers(reason: ViewerEndReason): void {
    for (const viewer of [...this.viewers]) viewer.end(reason);
  }

  /**
   * Shutdown: take no more output (the process does not outlive the server) and write the whole
   * ring, which no longer changes, to the scrollback file; resolves once it is there. Writing
   * while output went on could be overtaken by it again and again on a busy machine.
   */
  closeScrollback(): Promise<void> {
    this.outputClosed = true;
    return this.closeFiles();
  }

  /** The scrollback file and the recording, completed once the ring no longer changes. */
  private closeFiles(): Promise<void> {
    return Promise.all([this.journal?.close(this.finalScreen()), this.recorder?.close()]).then(
      () => {},
    );
  }

  /** The terminal's last state, for the scrollback file's side; the emulator is then let go. */
  private finalScreen(): Promise<ScreenSnapshot> | undefined {
    const screen = this.screen;
    if (!screen) return undefined;
    this.screen = undefined;
    const snapshot = screen.snapshot();
    snapshot.finally(() => screen.dispose());
    return snapshot;
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
    this.idleTimer = this.timers.set(() => {
      this.idleTimer = undefined;
      if (!this.isRunning) return;
      const since = this.lastOutputMs ?? this.startedMs;
      const quietMs = this.options.now() - since;
      if (quietMs >= this.options.idleAfterMs) {
        this.attention?.silence();
        this.setState("idle");
      } else this.scheduleIdleCheck(this.options.idleAfterMs - quietMs);
    }, delayMs);
  }

  /** No timer of this session fires any more, and attention stops watching it. */
  private stopClocks(): void {
    this.stopAttention();
    this.timers.clear(this.idleTimer);
    this.timers.clear(this.mirrorTimer);
    this.timers.clear(this.killTimer);
    this.timers.clear(this.repaintTimer);
    this.idleTimer = undefined;
  }

  private stopAttention(): void {
    this.attention?.dispose();
    this.attention = undefined;
  }

  private lastOutputIso(): string | null {
    return this.lastOutputMs === undefined ? null : new Date(this.lastOutputMs).toISOString();
  }
}
