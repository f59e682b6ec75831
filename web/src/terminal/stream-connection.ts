// One terminal stream (DESIGN §5) that survives network trouble: it resumes with `since=` from
// the last byte it has, backs off between attempts (250 ms doubling to 10 s), reconnects at
// once after 4008, and stops for good when the session has ended (1000), was deleted (4004), or
// the share link it was opened with was revoked or expired (4403).
// Flow control: the owner pauses it when the terminal cannot keep up (the socket is closed, so
// nothing piles up in the browser) and resumes it from the same offset once it has caught up.
// A terminal out of sight (a background tab) is not connected at all: it connects when shown,
// from its offset (or, never shown before, for a snapshot of the session's screen).
// Keys typed while disconnected are held and sent if the next attempt opens (a blip); once an
// attempt is refused they go back to the owner as `undelivered`, never to the program late.

import type { Session } from "../../../src/protocol/session.ts";
import {
  assertNever,
  type ClientMessage,
  CloseCode,
  type ServerEvent,
  serverEventSchema,
} from "../../../src/protocol/stream.ts";
import { decodeJson } from "../api/decode.ts";
import { socketUrl } from "../api/http.ts";

export type StreamStatus = "connecting" | "live" | "reconnecting" | "ended" | "deleted" | "revoked";

export interface StreamHandlers {
  /**
   * Output bytes, contiguous with the previous call unless truncated. `replayed`: they come before
   * the offset the connection's hello announced (the terminal is being brought up to date), so
   * the queries among them were made and answered long ago.
   */
  output(bytes: Uint8Array, replayed: boolean): void;
  /** History between `from` and `to` is gone from the server. */
  truncated(from: number, to: number): void;
  /**
   * Reset the terminal and write `bytes`: the session's terminal as it is now, drawn at
   * cols × rows (a fresh open, or a resync after falling behind). Output follows on from it.
   */
  snapshot(bytes: Uint8Array, cols: number, rows: number): void;
  session(session: Session): void;
  resize(cols: number, rows: number): void;
  exit(exitCode: number | null, signal: string | null): void;
  /**
   * The program is not reading its input: `waiting` bytes of it are held back (the server reads
   * no more from this client meanwhile), 0 once it flows; `refused` bytes were dropped.
   */
  input(notice: { waiting: number } | { refused: string }): void;
  status(status: StreamStatus): void;
  /** The socket closed before it opened (maybe the sign-in expired). */
  refused(): void;
  /**
   * Keys typed while disconnected that will not be sent: the reconnect was refused (the server
   * away, or the sign-in gone), there were too many, or the connection is being disposed.
   * Keys held only through a blip (the first reconnect opens) are sent as usual.
   */
  undelivered(bytes: Uint8Array): void;
  /** Just (re)connected: the hello has arrived. */
  ready(): void;
  /** The first connection's replay (everything up to its hello's offset) has arrived. */
  replayed(): void;
}

const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 10_000;
/** Input typed while disconnected, held for the reconnect; more goes to `undelivered`. */
const MAX_PENDING_INPUT_BYTES = 64 * 1024;

export class StreamConnection {
  /** Absolute offset of the next output byte expected (bytes since the session began). */
  offset = 0;
  private socket: WebSocket | undefined;
  private backoffMs = BACKOFF_MIN_MS;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private finished = false;
  private paused = false;
  /** Out of sight: no socket until shown. */
  private hidden: boolean;
  private pending: Uint8Array<ArrayBuffer>[] = [];
  private pendingBytes = 0;
  private readonly wake = () => this.retryNow();
  /** End offset of the first hello's replay; undefined once reported (or before any hello). */
  private replayEnd: number | undefined;
  private replayReported = false;
  /** The current connection's hello offset: output before it is replay, after it is live. */
  private liveFrom = 0;
  /** A hello has arrived: later connections resume with `since=`, the first asks for none. */
  private started = false;
  /** Announced by a `snapshot` event: the next binary frame is the snapshot. */
  private snapshotNext: { offset: number; cols: number; rows: number } | undefined;

  /** The stream's API path: the session's, or a share link's. */
  private readonly path: string;

  constructor(
    sessionId: string,
    private readonly on: StreamHandlers,
    { hidden = false, path }: { hidden?: boolean; path?: string | undefined } = {},
  ) {
    this.hidden = hidden;
    this.path = path ?? `/sessions/${encodeURIComponent(sessionId)}/stream`;
    addEventListener("online", this.wake);
    document.addEventListener("visibilitychange", this.wake);
    this.open();
  }

  /** Out of sight: close the socket; shown again: reconnect from `offset`. */
  setHidden(hidden: boolean): void {
    if (hidden === this.hidden) return;
    this.hidden = hidden;
    if (hidden) {
      clearTimeout(this.timer);
      const socket = this.socket;
      this.socket = undefined;
      socket?.close(1000);
    } else if (!this.socket) this.open();
  }

  /** Send input bytes (held briefly while reconnecting). */
  send(bytes: Uint8Array<ArrayBuffer>): void {
    if (this.finished) return;
    if (this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(bytes);
    } else {
      this.pending.push(bytes);
      this.pendingBytes += bytes.length;
      if (this.pendingBytes > MAX_PENDING_INPUT_BYTES) this.giveUpPending();
    }
  }

  control(message: ClientMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Stop receiving for now (the terminal is behind); `resume()` continues from `offset`. */
  pause(): void {
    if (this.paused || this.finished) return;
    this.paused = true;
    clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000);
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.open();
  }

  dispose(): void {
    this.disposed = true;
    this.giveUpPending();
    clearTimeout(this.timer);
    removeEventListener("online", this.wake);
    document.removeEventListener("visibilitychange", this.wake);
    this.socket?.close(1000);
  }

  private open(): void {
    if (this.disposed || this.finished || this.paused || this.hidden || this.socket) return;
    // A fresh open asks for no offset: the server then sends a snapshot rather than a long replay.
    const since = this.started ? `?since=${this.offset}` : "";
    this.snapshotNext = undefined;
    const socket = new WebSocket(socketUrl(`${this.path}${since}`));
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
    };
    socket.onmessage = (message) => {
      if (socket !== this.socket) return;
      if (typeof message.data === "string") {
        const event = decodeJson(serverEventSchema, message.data, "stream event");
        if (event) this.event(event);
      } else {
        const bytes = new Uint8Array(message.data as ArrayBuffer);
        const snapshot = this.snapshotNext;
        if (snapshot) {
          this.snapshotNext = undefined;
          this.offset = snapshot.offset;
          this.on.snapshot(bytes, snapshot.cols, snapshot.rows);
          return this.checkReplayed();
        }
        const replayed = Math.min(bytes.length, Math.max(0, this.liveFrom - this.offset));
        this.offset += bytes.length;
        if (replayed > 0) this.on.output(bytes.subarray(0, replayed), true);
        if (replayed < bytes.length) this.on.output(bytes.subarray(replayed), false);
        this.checkReplayed();
      }
    };
    socket.onclose = (close) => {
      if (socket !== this.socket || this.disposed) return;
      this.socket = undefined;
      // 1000 only ever follows the end of the session: never reconnect after it.
      if (close.code === CloseCode.normal) {
        this.finished = true;
        return this.on.status("ended");
      }
      if (close.code === CloseCode.sessionDeleted) {
        this.finished = true;
        return this.on.status("deleted");
      }
      if (close.code === CloseCode.shareEnded) {
        this.finished = true;
        return this.on.status("revoked");
      }
      // Never opened, or signed out since (4001): maybe the sign-in is gone.
      if (!opened || close.code === CloseCode.signedOut) {
        // Keys held this long are stale: the user gets them back as text, never the program.
        this.giveUpPending();
        this.on.refused();
      }
      this.on.status("reconnecting");
      const delay = close.code === CloseCode.tooSlow ? 0 : this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MAX_MS);
      this.timer = setTimeout(() => this.open(), delay);
    };
  }

  private retryNow(): void {
    if (this.disposed || this.finished || this.paused || this.hidden || this.socket) return;
    if (document.visibilityState !== "visible") return;
    clearTimeout(this.timer);
    this.backoffMs = BACKOFF_MIN_MS;
    this.open();
  }

  private event(event: ServerEvent): void {
    switch (event.type) {
      case "hello":
        this.backoffMs = BACKOFF_MIN_MS;
        this.started = true;
        // The replay starts at max(since, bufferStart); anything before is announced as truncated.
        this.offset = Math.max(this.offset, event.bufferStart);
        this.liveFrom = event.offset;
        this.on.session(event.session);
        this.on.status("live");
        this.flush();
        this.on.ready();
        if (!this.replayReported && this.replayEnd === undefined) this.replayEnd = event.offset;
        this.checkReplayed();
        return;
      case "truncated":
        this.offset = Math.max(this.offset, event.to);
        this.on.truncated(event.from, event.to);
        return;
      case "snapshot":
        this.snapshotNext = { offset: event.offset, cols: event.cols, rows: event.rows };
        return;
      case "state":
        this.on.session(event.session);
        return;
      case "resize":
        this.on.resize(event.cols, event.rows);
        return;
      case "exit":
        this.replayEnd = Math.min(this.replayEnd ?? this.offset, this.offset);
        this.checkReplayed();
        this.finished = true;
        this.on.exit(event.exitCode, event.signal);
        return;
      case "pong":
        return;
      case "input":
        this.on.input({ waiting: event.state === "waiting" ? event.backlog : 0 });
        return;
      case "error":
        if (event.code === "input_refused") this.on.input({ refused: event.message });
        console.warn(`stream error ${event.code}: ${event.message}`);
        return;
      default:
        assertNever(event);
    }
  }

  private checkReplayed(): void {
    if (this.replayReported || this.replayEnd === undefined || this.offset < this.replayEnd) return;
    this.replayReported = true;
    this.on.replayed();
  }

  /** Hand held input to `undelivered` (it will not be sent). */
  private giveUpPending(): void {
    if (this.pendingBytes === 0) return;
    const held = new Uint8Array(this.pendingBytes);
    let at = 0;
    for (const bytes of this.pending) {
      held.set(bytes, at);
      at += bytes.length;
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.on.undelivered(held);
  }

  private flush(): void {
    const pending = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    for (const bytes of pending) this.socket?.send(bytes);
  }
}
