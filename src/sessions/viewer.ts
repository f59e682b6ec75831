// One viewer of a session's output: reads the shared ring at its own pace and never holds more
// than one chunk of its own. A viewer that the ring has overtaken is closed with 4008 (it
// reconnects with since=); a viewer of a finished session gets the rest, `truncated` if the rest
// is not all there, `exit`, then close 1000.

import { CloseCode, type ServerEvent } from "../protocol/stream.ts";

/** Largest binary frame sent to a viewer. */
export const VIEWER_CHUNK_BYTES = 256 * 1024;

/** What the transport reports for one frame, mirroring Bun's ServerWebSocket.send results. */
export type SendResult = "sent" | "backpressure" | "dropped";

/** The transport side of a viewer (a WebSocket); sessions/ knows nothing more about it. */
export interface ViewerSink {
  /** "backpressure": queued, but send no more until `resume()`; "dropped": not queued. */
  sendOutput(bytes: Uint8Array): SendResult;
  sendEvent(event: ServerEvent): void;
  close(code: number, reason: string): void;
  /** Stop (true) or go on (false) reading this viewer's input: its session's input waits. */
  holdInput(hold: boolean): void;
}

/**
 * Output addressed by absolute offsets, [start, end): a live session's RingBuffer, or the bytes
 * kept of a finished session.
 */
export interface OutputSource {
  readonly start: number;
  readonly end: number;
  /** Up to `maxBytes` bytes from `from` (clamped to what is held) without copying; empty at the end. */
  view(from: number, maxBytes?: number): Uint8Array;
}

/** The output a viewer reads: a ring (or a finished session's bytes), and the exit once the process is gone. */
export interface Feed {
  readonly ring: OutputSource;
  readonly exit: { exitCode: number | null; signal: string | null } | undefined;
  /**
   * Where the output really ends when the ring lacks its tail: a finished session whose
   * scrollback file a full disk kept from being completed. Absent: at ring.end.
   */
  readonly end?: number;
  /** Called once when the viewer is finished with the feed. */
  release(viewer: Viewer): void;
}

export class Viewer {
  // Invariant: every byte in [firstOffset, offset) has been handed to the sink, in order, once.
  private offset: number;
  /** The replay that brings this viewer up to date ends here: hello's offset. */
  private replayEnd: number;
  private blocked = false;
  private finished = false;
  /** The size this viewer's terminal last asked for; undefined until it asks (see LiveSession). */
  size: { cols: number; rows: number } | undefined;

  constructor(
    private readonly feed: Feed,
    readonly sink: ViewerSink,
    since: number,
  ) {
    this.offset = since;
    this.replayEnd = since;
  }

  /**
   * The replay is not all handed to the transport yet: what the viewer's terminal answers now
   * answers replayed queries, not the program's current ones.
   */
  get catchingUp(): boolean {
    return this.offset < this.replayEnd;
  }

  /** Send `hello` (built by the caller), a `truncated` notice if history was lost, then the replay. */
  start(hello: ServerEvent): void {
    this.sink.sendEvent(hello);
    if (hello.type === "hello") this.replayEnd = hello.offset;
    const { ring } = this.feed;
    if (this.offset < ring.start) {
      this.sink.sendEvent({ type: "truncated", from: this.offset, to: ring.start });
      this.offset = ring.start;
    }
    this.pump();
  }

  /** The ring grew or the process exited. */
  notify(): void {
    if (this.finished) return;
    if (this.offset < this.feed.ring.start) {
      this.end(CloseCode.tooSlow, "viewer fell behind; reconnect with since=");
      return;
    }
    if (!this.blocked) this.pump();
  }

  /** The transport drained: go on sending. */
  resume(): void {
    if (this.finished) return;
    this.blocked = false;
    this.notify();
  }

  /** Send a control event unless the viewer is done. */
  event(event: ServerEvent): void {
    if (!this.finished) this.sink.sendEvent(event);
  }

  /** Close the viewer from the session's side (deleted session, shutdown). */
  end(code: number, reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.sink.close(code, reason);
    this.feed.release(this);
  }

  /** The transport closed: forget the viewer. */
  detach(): void {
    if (this.finished) return;
    this.finished = true;
    this.feed.release(this);
  }

  private pump(): void {
    const { ring } = this.feed;
    while (this.offset < ring.end) {
      const chunk = ring.view(this.offset, VIEWER_CHUNK_BYTES);
      const result = this.sink.sendOutput(chunk);
      if (result === "dropped") {
        this.blocked = true;
        return;
      }
      this.offset += chunk.length;
      if (result === "backpressure") {
        this.blocked = true;
        return;
      }
    }
    const exit = this.feed.exit;
    if (exit) {
      const end = this.feed.end ?? ring.end;
      if (this.offset < end) {
        this.sink.sendEvent({ type: "truncated", from: this.offset, to: end });
        this.offset = end;
      }
      this.sink.sendEvent({ type: "exit", exitCode: exit.exitCode, signal: exit.signal });
      this.end(CloseCode.normal, "session ended");
    }
  }
}
