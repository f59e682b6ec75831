// Scrollback on disk: one file per session under DATA_DIR/scrollback, so that output can be read
// after the process exits and after the server restarts (even after a crash, minus the last flush).
//
// File layout: 8-byte magic "ODSB\x01\0\0\0", 8-byte little-endian absolute offset of the first
// byte that follows, then the bytes. A file never holds more than 2 × SCROLLBACK_BYTES of output:
// past that it is rewritten from the ring (write to a temporary file, then rename).

import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writevSync,
} from "node:fs";
import { join } from "node:path";
import type { RingBuffer } from "./ring-buffer.ts";

const MAGIC = Buffer.from("ODSB\x01\0\0\0", "latin1");
const HEADER_BYTES = 16;
const SESSION_ID = /^[0-9a-f-]{36}$/;

/** How long appended output may wait in memory before it is written out. */
export const SCROLLBACK_FLUSH_MS = 250;
/**
 * The wait after a flush that wrote at least FLOOD_BYTES: while a program floods its terminal,
 * each flush would otherwise rewrite the whole ring four times a second, and those synchronous
 * writes hold up the event loop that reads the PTYs (measured: 6 points of throughput at the
 * default 4mb). During a flood the ring turns over within the second anyway, so a crash loses
 * output that scrolled away either way.
 */
export const SCROLLBACK_FLOOD_FLUSH_MS = 1000;
/** A flush that wrote this much marks a flood. */
const FLOOD_BYTES = 1024 * 1024;

export interface StoredScrollback {
  /** Absolute offset of bytes[0]. */
  start: number;
  bytes: Uint8Array;
}

export interface ScrollbackStore {
  /** Start journaling a session's ring; the journal flushes itself while output flows. */
  open(sessionId: string, ring: RingBuffer): ScrollbackJournal;
  /** The last `maxBytes` bytes kept for a session, or undefined when nothing was kept. */
  read(sessionId: string, maxBytes: number): StoredScrollback | undefined;
  remove(sessionId: string): void;
}

export interface ScrollbackJournal {
  /** Note that the ring grew; schedules a flush. */
  touch(): void;
  /** Write everything now (at exit and at shutdown). */
  flush(): void;
  /** Flush and release the file; further calls do nothing. */
  close(): void;
}

/** Runs `run` after `ms`; returns a function that cancels it (tests pass their own clock). */
export type SetTimer = (run: () => void, ms: number) => () => void;

const defaultSetTimer: SetTimer = (run, ms) => {
  const timer = setTimeout(run, ms);
  return () => clearTimeout(timer);
};

/**
 * @param dir folder of the files (created 0700)
 * @param onError told when a write fails (disk full, permissions); the journal then starts over
 *   with a full rewrite at the next flush instead of throwing into the PTY's callbacks
 * @param setTimer schedules the flushes (setTimeout unless a test brings its own clock)
 */
export function createScrollbackStore(
  dir: string,
  onError: (error: unknown, context: string) => void = () => {},
  setTimer: SetTimer = defaultSetTimer,
): ScrollbackStore {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pathOf = (id: string) => {
    // Ids come from URLs: never let one name a path outside the folder.
    if (!SESSION_ID.test(id)) throw new Error(`invalid session id for scrollback: ${id}`);
    return join(dir, `${id}.log`);
  };

  return {
    open(sessionId, ring) {
      const path = pathOf(sessionId);
      return openJournal(
        path,
        ring,
        (error) => onError(error, `writing scrollback ${path}`),
        setTimer,
      );
    },

    read(sessionId, maxBytes) {
      let file: Buffer;
      try {
        file = readFileSync(pathOf(sessionId));
      } catch {
        return undefined;
      }
      if (file.length < HEADER_BYTES || !file.subarray(0, 8).equals(MAGIC)) return undefined;
      const start = Number(file.readBigUInt64LE(8));
      const body = file.subarray(HEADER_BYTES);
      const kept = body.subarray(Math.max(0, body.length - maxBytes));
      return { start: start + (body.length - kept.length), bytes: kept };
    },

    remove(sessionId) {
      rmSync(pathOf(sessionId), { force: true });
    },
  };
}

function header(start: number): Buffer {
  const bytes = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(bytes, 0);
  bytes.writeBigUInt64LE(BigInt(start), 8);
  return bytes;
}

function openJournal(
  path: string,
  ring: RingBuffer,
  onError: (error: unknown) => void,
  setTimer: SetTimer,
): ScrollbackJournal {
  // Invariant: the file holds exactly the output in [fileStart, flushedOffset).
  let fileStart = ring.start;
  let flushedOffset = ring.start;
  let fd: number | undefined;
  let cancelTimer: (() => void) | undefined;
  const limit = 2 * ring.capacity;

  const rewrite = () => {
    const tmp = `${path}.tmp`;
    const tmpFd = openSync(tmp, "w", 0o600);
    try {
      writevSync(tmpFd, [header(ring.start), ...ring.views(ring.start)]);
      renameSync(tmp, path);
    } catch (error) {
      closeSync(tmpFd);
      throw error;
    }
    if (fd !== undefined) closeSync(fd);
    fd = tmpFd;
    fileStart = ring.start;
    flushedOffset = ring.end;
  };

  /** Writes what the file lacks; returns how many bytes it wrote. */
  const write = (): number => {
    if (fd === undefined || flushedOffset < ring.start || ring.end - fileStart > limit) {
      rewrite();
      return ring.end - ring.start;
    }
    if (flushedOffset === ring.end) return 0;
    const views = ring.views(flushedOffset);
    writevSync(fd, views);
    const before = flushedOffset;
    for (const view of views) flushedOffset += view.length;
    return flushedOffset - before;
  };

  // Whether the last flush wrote a flood's worth: the next one then waits longer.
  let flooding = false;
  const flush = () => {
    cancelTimer?.();
    cancelTimer = undefined;
    try {
      flooding = write() >= FLOOD_BYTES;
    } catch (error) {
      // The file may now hold a partial write: rewrite it whole next time.
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      onError(error);
    }
  };

  let closed = false;
  return {
    touch() {
      if (closed || cancelTimer !== undefined) return;
      cancelTimer = setTimer(flush, flooding ? SCROLLBACK_FLOOD_FLUSH_MS : SCROLLBACK_FLUSH_MS);
    },
    flush() {
      if (!closed) flush();
    },
    close() {
      if (closed) return;
      flush();
      closed = true;
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
