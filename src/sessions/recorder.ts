// A session's recorder, on the side that owns its PTY (this process, or the PTY host): the read
// path only notes where a run of output begins and when (a number pushed every
// RECORDING_COALESCE_MS at most); a timer copies the runs out of the ring and appends them to the
// recording file (recording-format.ts), the write going to Bun's thread pool. Only a flood that
// fills half the ring between two turns of the event loop has its copy made on the read path. The file keeps the
// session's first RECORDING_LIMIT bytes; past that the recording stops and its header says so.

import { close, write } from "node:fs";
import { promisify } from "node:util";
import {
  FLAGS_AT,
  HEADER_BYTES,
  RECORD_HEADER_BYTES,
  RecordingFlags,
  RecordKind,
  writeRecordHeader,
} from "./recording-format.ts";
import type { RingBuffer } from "./ring-buffer.ts";

/** How long output may wait in the ring before it is copied into the recording. */
export const RECORDING_FLUSH_MS = 250;
/** Output within this long of a run's start joins that run (one asciicast event). */
export const RECORDING_COALESCE_MS = 10;
/** Numbers per mark: kind, offset, ms, cols, rows. */
const MARK = 5;

const writeAsync = promisify(write);
const closeAsync = promisify(close);

/** The timer's callback: a module function, so that a recorder keeps no closure (docs/memory.md). */
function flushRecorder(recorder: Recorder): void {
  recorder.flush();
}

function monotonicMs(): number {
  return performance.now();
}

function flagBytes(flags: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(flags, 0);
  return bytes;
}

// A class, not closures: a running session keeps its recorder for its whole life (docs/memory.md).
export class Recorder {
  // Invariant: the file holds, from HEADER_BYTES to `position`, the records of the output in
  // [ring offset at start, copied); `marks` hold the runs and resizes since, at offsets ≥ copied.
  private readonly marks: number[] = [];
  private lastMarkMs = Number.NEGATIVE_INFINITY;
  private copied: number;
  private position = HEADER_BYTES;
  /** Non-zero once the recording stopped (RecordingFlags): nothing more is noted. */
  private flags = 0;
  private timer: Timer | undefined;
  /** The pending timer is the short one (a flood is filling the ring). */
  private hurried = false;
  /** The writes run one at a time, in order; set while one runs. */
  private writing: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private readonly originMs: number;

  /**
   * @param fd the recording file, open for writing, its header written
   * @param size the terminal's size in the header: a resize to the size it has is not recorded
   * @param limitBytes most bytes of the file (header and records)
   * @param now a monotonic clock in ms (tests bring their own)
   */
  constructor(
    private readonly fd: number,
    private readonly ring: RingBuffer,
    private size: { cols: number; rows: number },
    private readonly limitBytes: number,
    private readonly onError: (error: unknown, context: string) => void,
    private readonly now: () => number = monotonicMs,
  ) {
    this.copied = ring.end;
    this.originMs = now();
  }

  /**
   * The ring is about to take `length` bytes: what waits is copied first when they would turn
   * it over (one read of a busy PTY can be larger than half the ring). Hot path: a compare.
   */
  willAppend(length: number): void {
    if (this.ring.end + length - this.copied > this.ring.capacity && this.flags === 0) {
      this.flush();
    }
  }

  /** The ring just took `length` bytes of output. Hot path: a clock read and a compare. */
  output(length: number): void {
    if (this.flags !== 0 || this.closing) return;
    const now = this.now() - this.originMs;
    if (now - this.lastMarkMs >= RECORDING_COALESCE_MS) {
      this.marks.push(RecordKind.output, this.ring.end - length, now, 0, 0);
      this.lastMarkMs = now;
    }
    // Copy before the ring can turn over: as soon as the loop lets a timer run when a quarter of
    // it waits, and here when half of it does (reads came faster than the loop ran timers). Each
    // byte is copied once either way, and at most RECORDING_LIMIT bytes in a session's life.
    const waiting = this.ring.end - this.copied;
    if (waiting > this.ring.capacity / 2) {
      this.flush();
      return;
    }
    const hurry = waiting > this.ring.capacity / 4;
    if (this.timer === undefined || (hurry && !this.hurried)) {
      clearTimeout(this.timer);
      this.hurried = hurry;
      this.timer = setTimeout(flushRecorder, hurry ? 0 : RECORDING_FLUSH_MS, this);
    }
  }

  /** The terminal took a new size. */
  resize(cols: number, rows: number): void {
    if (this.flags !== 0 || this.closing) return;
    if (cols === this.size.cols && rows === this.size.rows) return;
    this.size = { cols, rows };
    this.marks.push(RecordKind.resize, this.ring.end, this.now() - this.originMs, cols, rows);
    // Output after it is a new run.
    this.lastMarkMs = Number.NEGATIVE_INFINITY;
    this.timer ??= setTimeout(flushRecorder, RECORDING_FLUSH_MS, this);
  }

  /** Copy what the marks cover out of the ring and queue its write. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const marks = this.marks;
    if (marks.length === 0 || this.flags !== 0) return;
    const ring = this.ring;
    const end = ring.end;
    if (this.copied < ring.start) {
      // A flood overtook the ring before the copy: the recording ends where it was complete.
      this.stop(RecordingFlags.overrun);
      return;
    }
    // Sized for all of it, cut at the limit.
    let total = end - this.copied;
    for (let i = 0; i < marks.length; i += MARK) total += RECORD_HEADER_BYTES;
    const room = this.limitBytes - this.position;
    const out = Buffer.allocUnsafe(Math.max(0, Math.min(total, room)));
    let at = 0;
    let full = false;
    for (let i = 0; i < marks.length && !full; i += MARK) {
      const kind = marks[i] as number;
      const time = marks[i + 2] as number;
      if (out.length - at < RECORD_HEADER_BYTES + (kind === RecordKind.output ? 1 : 0)) {
        full = true;
        break;
      }
      if (kind === RecordKind.resize) {
        const size = ((marks[i + 3] as number) << 16) | (marks[i + 4] as number);
        writeRecordHeader(out, at, kind, time, size);
        at += RECORD_HEADER_BYTES;
        continue;
      }
      const from = Math.max(marks[i + 1] as number, this.copied);
      const next = i + MARK < marks.length ? (marks[i + MARK + 1] as number) : end;
      let length = Math.min(next, end) - from;
      if (length <= 0) continue;
      const fits = out.length - at - RECORD_HEADER_BYTES;
      if (length >= fits) {
        full = length > fits || i + MARK < marks.length;
        length = fits;
      }
      writeRecordHeader(out, at, kind, time, length);
      at += RECORD_HEADER_BYTES;
      for (let o = from; o < from + length; ) {
        const piece = ring.view(o, from + length - o);
        out.set(piece, at);
        at += piece.length;
        o += piece.length;
      }
    }
    marks.length = 0;
    this.copied = end;
    this.lastMarkMs = Number.NEGATIVE_INFINITY;
    if (at > 0) this.append(out.subarray(0, at));
    if (full || this.position >= this.limitBytes) this.stop(RecordingFlags.limit);
  }

  /**
   * The last write, once the ring no longer changes (the process exited, or shutdown): resolves
   * once the recording is complete and its file closed; later calls return the same promise.
   */
  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    this.flush();
    await this.writing;
    await closeAsync(this.fd).catch((error) => this.onError(error, "closing a recording"));
  }

  /** No more output is recorded: the header says why. */
  private stop(flag: number): void {
    this.flags |= flag;
    this.marks.length = 0;
    this.queue(flagBytes(this.flags), FLAGS_AT);
  }

  private append(bytes: Uint8Array): void {
    this.queue(bytes, this.position);
    this.position += bytes.length;
  }

  private queue(bytes: Uint8Array, position: number): void {
    const next: Promise<void> = (this.writing ?? Promise.resolve())
      .then(() => this.writeAll(bytes, position))
      .catch(async (error) => {
        if (this.flags & RecordingFlags.failed) return;
        this.onError(error, "writing a recording");
        this.flags |= RecordingFlags.failed;
        this.marks.length = 0;
        await this.writeAll(flagBytes(this.flags), FLAGS_AT).catch(() => {});
      })
      .then(() => {
        if (this.writing === next) this.writing = undefined;
      });
    this.writing = next;
  }

  private async writeAll(bytes: Uint8Array, position: number): Promise<void> {
    // After a failed write the file ends with its last complete record: nothing more goes in,
    // but the flags, which say it stopped.
    if (this.flags & RecordingFlags.failed && position !== FLAGS_AT) return;
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await writeAsync(
        this.fd,
        bytes,
        done,
        bytes.length - done,
        position + done,
      );
      if (bytesWritten === 0) throw new Error("recording write made no progress");
      done += bytesWritten;
    }
  }
}
