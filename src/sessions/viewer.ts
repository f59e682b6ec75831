// One viewer of a session's output: reads the shared ring at its own pace and never holds more
// than one chunk of its own. It starts from a replay or from a snapshot of the terminal (see
// src/protocol/stream.ts). A viewer that the ring has overtaken resyncs from a fresh snapshot
// once it reads again, or is ended as `stalled` if it does not within STALLED_CLOSE_MS (as
// `overtaken` at once if the session has no snapshot to give); a viewer of a finished session
// gets the rest, `truncated` if the rest is not all there, `exit`, then is ended as `ended`.
// The transport turns a ViewerEndReason into its close code (src/http/stream-close.ts).

import { REPLAY_LIMIT_BYTES, type ServerEvent } from "../protocol/stream.ts";
import type { ScreenSnapshot } from "./screen.ts";
import { realTimers, type TimerHandle, type Timers } from "./timers.ts";

/** Largest binary frame sent to a viewer. */
export const VIEWER_CHUNK_BYTES = 256 * 1024;
/**
 * Snapshots asked for in a row when output overtakes each before it is sent (a flood); the last
 * one is sent anyway, followed by a `truncated` notice and the ring from its start.
 */
const SNAPSHOT_TRIES = 3;
/** A viewer overtaken by the ring that has not read for this long is ended as `stalled`. */
export const STALLED_CLOSE_MS = 15_000;

const encoder = new TextEncoder();

/**
 * Why the session ends a viewer:
 * - `ended`: it has been sent all of a finished session's output and its exit;
 * - `overtaken`: the ring overtook it and no snapshot can catch it up;
 * - `stalled`: the ring overtook it and it stopped reading for STALLED_CLOSE_MS;
 * - `deleted`: its session was deleted;
 * - `server_stopping`: the server is shutting down;
 * - `host_lost`: the PTY host that ran its session went away.
 */
export type ViewerEndReason =
  | "ended"
  | "overtaken"
  | "stalled"
  | "deleted"
  | "server_stopping"
  | "host_lost";

/** What the transport reports for one frame, mirroring Bun's ServerWebSocket.send results. */
export type SendResult = "sent" | "backpressure" | "dropped";

/** The transport side of a viewer (a WebSocket); sessions/ knows nothing more about it. */
export interface ViewerSink {
  /** "backpressure": queued, but send no more until `resume()`; "dropped": not queued. */
  sendOutput(bytes: Uint8Array): SendResult;
  sendEvent(event: ServerEvent): void;
  /** The session is done with this viewer: close the transport. */
  close(reason: ViewerEndReason): void;
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
  /** The terminal's state now, if the feed keeps one (a live session does). */
  screenSnapshot?(): Promise<ScreenSnapshot | undefined>;
}

/**
 * Whether a viewer from `since` (absent: a fresh open) starts from a snapshot rather than a
 * replay: when the output kept no longer reaches back to `since`, or, with no `since`, when it
 * has turned over or a replay would be longer than REPLAY_LIMIT_BYTES.
 */
export function startsFromSnapshot(
  since: number | undefined,
  { start }: { start: number },
  end: number,
): boolean {
  if (since !== undefined) return since < start;
  return start > 0 || end - start > REPLAY_LIMIT_BYTES;
}

export class Viewer {
  // Invariant: `offset` is the next byte to hand to the sink. Every byte from the viewer's
  // `since` up to it has reached the sink once, in order: as output, covered by a snapshot taken
  // at or after it, or announced lost in a `truncated` event.
  private offset: number;
  /** The replay that brings this viewer up to date ends here: hello's offset. */
  private replayEnd: number;
  private blocked = false;
  private finished = false;
  /** A snapshot is on its way: nothing else goes out until it has. */
  private awaitingSnapshot = false;
  /** Set while the ring has overtaken a viewer that is not reading: ends it when it fires. */
  private stallTimer: TimerHandle;
  /** The size this viewer's terminal last asked for; undefined until it asks (see LiveSession). */
  size: { cols: number; rows: number } | undefined;

  constructor(
    private readonly feed: Feed,
    readonly sink: ViewerSink,
    since: number,
    /** Schedules the stall close (STALLED_CLOSE_MS). */
    private readonly timers: Timers = realTimers,
  ) {
    this.offset = since;
    this.replayEnd = since;
  }

  /**
   * The replay is not all handed to the transport yet: what the viewer's terminal answers now
   * answers replayed queries, not the program's current ones.
   */
  get catchingUp(): boolean {
    return this.awaitingSnapshot || this.offset < this.replayEnd;
  }

  /**
   * Send `hello` (built by the caller), then the replay, with a `truncated` notice if history
   * was lost; or, with `snapshot`, the terminal's state instead of the replay.
   */
  start(hello: ServerEvent, snapshot?: boolean): void {
    this.sink.sendEvent(hello);
    if (hello.type === "hello") this.replayEnd = hello.offset;
    if (snapshot && this.feed.screenSnapshot) {
      this.resync();
      return;
    }
    this.truncateToRing();
    this.pump();
  }

  /** The ring grew or the process exited. */
  notify(): void {
    if (this.finished || this.awaitingSnapshot) return;
    if (this.offset < this.feed.ring.start) {
      if (!this.feed.screenSnapshot || this.feed.exit) {
        this.end("overtaken");
      } else if (!this.blocked) this.resync();
      else {
        this.stallTimer ??= this.timers.set(() => this.end("stalled"), STALLED_CLOSE_MS);
      }
      return;
    }
    if (!this.blocked) this.pump();
  }

  /** The transport drained: go on sending. */
  resume(): void {
    if (this.finished) return;
    this.blocked = false;
    this.timers.clear(this.stallTimer);
    this.stallTimer = undefined;
    this.notify();
  }

  /** Send a control event unless the viewer is done. */
  event(event: ServerEvent): void {
    if (!this.finished) this.sink.sendEvent(event);
  }

  /** Close the viewer from the session's side (deleted session, shutdown). */
  end(reason: ViewerEndReason): void {
    if (this.finished) return;
    this.finished = true;
    this.timers.clear(this.stallTimer);
    this.sink.close(reason);
    this.feed.release(this);
  }

  /** The transport closed: forget the viewer. */
  detach(): void {
    if (this.finished) return;
    this.finished = true;
    this.timers.clear(this.stallTimer);
    this.feed.release(this);
  }

  /** Replay from the oldest byte kept, announcing what was lost before it. */
  private truncateToRing(): void {
    const { ring } = this.feed;
    if (this.offset < ring.start) {
      this.sink.sendEvent({ type: "truncated", from: this.offset, to: ring.start });
      this.offset = ring.start;
    }
  }

  /**
   * Ask the feed for its terminal's state, send it, go on live from its offset. Output the ring
   * no longer holds is announced as truncated first, as it is for a replay.
   */
  private resync(tries = 1): void {
    const screenSnapshot = this.feed.screenSnapshot;
    if (!screenSnapshot) return;
    this.truncateToRing();
    this.awaitingSnapshot = true;
    screenSnapshot.call(this.feed).then(
      (snapshot) => this.sendSnapshot(snapshot, tries),
      () => this.sendSnapshot(undefined, tries),
    );
  }

  private sendSnapshot(snapshot: ScreenSnapshot | undefined, tries: number): void {
    this.awaitingSnapshot = false;
    if (this.finished) return;
    if (!snapshot) {
      // None to be had (the process is gone): the replay from the ring is the best left.
      this.truncateToRing();
      this.notify();
      return;
    }
    // Output overtook it while it was made: a newer one, unless the flood keeps winning.
    if (snapshot.offset < this.feed.ring.start && tries < SNAPSHOT_TRIES) {
      this.resync(tries + 1);
      return;
    }
    const bytes = encoder.encode(snapshot.data);
    const { offset, cols, rows } = snapshot;
    this.sink.sendEvent({ type: "snapshot", offset, cols, rows, bytes: bytes.length });
    const result = this.sink.sendOutput(bytes);
    this.offset = offset;
    this.replayEnd = Math.max(this.replayEnd, offset);
    this.truncateToRing();
    if (result === "dropped") {
      // The snapshot frame could not be queued: the client's terminal is not what it is told.
      this.end("overtaken");
      return;
    }
    if (result === "backpressure") this.blocked = true;
    this.notify();
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
      this.end("ended");
    }
  }
}
