// Scrollback on disk: one file per session under DATA_DIR/scrollback, so that output can be read
// after the process exits and after the server restarts (even after a crash, minus the last flush).
//
// File layout: 8-byte magic "ODSB\x01\0\0\0", 8-byte little-endian absolute offset of the first
// byte that follows, then the bytes. A file never holds more than 2 × SCROLLBACK_BYTES of output:
// past that it is rewritten from the ring (write to a temporary file, then rename).
//
// The writes run on Bun's thread pool, never on the event loop that reads the PTYs, and straight
// from the ring's memory (no copy). A write that new output may have overtaken — the ring
// dropped bytes the write was still reading — is discarded and redone, so the file never holds
// garbled output.

import { close, ftruncate, mkdirSync, open, readFileSync, rmSync, writev } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { z } from "zod";
import type { RingBuffer } from "./ring-buffer.ts";
import type { ScreenSnapshot } from "./screen.ts";

const MAGIC = Buffer.from("ODSB\x01\0\0\0", "latin1");
const HEADER_BYTES = 16;
const SESSION_ID = /^[0-9a-f-]{36}$/;

/** How long appended output may wait in memory before it is written out. */
export const SCROLLBACK_FLUSH_MS = 250;
/**
 * The wait after a flush that wrote at least FLOOD_BYTES: while a program floods its terminal,
 * each flush would otherwise rewrite the whole ring four times a second, and on two cores those
 * writes take CPU from the PTY reads (measured: 6 points of throughput at the default 4mb).
 * During a flood the ring turns over within the second anyway, so a crash loses output that
 * scrolled away either way.
 */
export const SCROLLBACK_FLOOD_FLUSH_MS = 1000;
/** A flush that wrote this much marks a flood. */
const FLOOD_BYTES = 1024 * 1024;
/**
 * Most bytes copied to write a file that output keeps overtaking in place: the file then holds
 * the newest COPY_LIMIT_BYTES until a calmer write takes the whole ring again.
 */
const COPY_LIMIT_BYTES = 8 * 1024 * 1024;

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
  /**
   * The terminal state a finished session ended with (`<id>.screen`, written by its journal's
   * close): undefined when none was kept, "corrupt" when the file cannot be read as one.
   */
  readScreen(sessionId: string): ScreenSnapshot | "corrupt" | undefined;
  remove(sessionId: string): void;
}

export interface ScrollbackJournal {
  /** Note that the ring grew; schedules a flush. */
  touch(): void;
  /**
   * Write what the ring holds now instead of when the timer fires; resolves once it is in the
   * file, or once the write failed (reported through onError, never rejected). Shutdown uses
   * close(), which also stops later writes.
   */
  flush(): Promise<void>;
  /**
   * The last write, once the ring no longer changes (the process exited): the file then holds
   * the whole ring, and `screen`, the terminal's state at the end, is kept beside it (see
   * readScreen). Releases the file; resolves when done; later calls return the same promise.
   */
  close(screen?: Promise<ScreenSnapshot>): Promise<void>;
}

/**
 * Runs `run` after `ms`; returns a function that cancels it (tests pass their own clock, and
 * await what `run` returns: the write it started).
 */
export type SetTimer = (run: () => Promise<void>, ms: number) => () => void;

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
  const screenPath = (id: string) => pathOf(id).replace(/\.log$/, SCREEN_SUFFIX);

  const context: JournalContext = { onError, setTimer };
  return {
    open(sessionId, ring) {
      return new Journal(pathOf(sessionId), ring, context);
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

    readScreen(sessionId) {
      let text: string;
      try {
        text = readFileSync(screenPath(sessionId), "utf8");
      } catch {
        return undefined;
      }
      try {
        return storedScreen.parse(JSON.parse(text));
      } catch {
        return "corrupt";
      }
    },

    remove(sessionId) {
      rmSync(pathOf(sessionId), { force: true });
      rmSync(screenPath(sessionId), { force: true });
      rmSync(`${screenPath(sessionId)}.tmp`, { force: true });
      // A rewrite that a crash interrupted.
      rmSync(`${pathOf(sessionId)}.tmp`, { force: true });
    },
  };
}

/** A finished session's last terminal state: JSON of a ScreenSnapshot, beside its `.log`. */
const SCREEN_SUFFIX = ".screen";
const storedScreen = z.object({
  offset: z.number().int().nonnegative(),
  cols: z.number().int().min(1).max(65_535),
  rows: z.number().int().min(1).max(65_535),
  data: z.string(),
});

function header(start: number): Buffer {
  const bytes = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(bytes, 0);
  bytes.writeBigUInt64LE(BigInt(start), 8);
  return bytes;
}

/** What every journal of a store shares. */
interface JournalContext {
  onError: (error: unknown, context: string) => void;
  setTimer: SetTimer;
}

// A class, not a closure per function: a running session keeps its journal for its whole life
// (docs/memory.md).
class Journal implements ScrollbackJournal {
  // Invariant between writes: the file holds exactly the output in [fileStart, flushedOffset),
  // unless `file` is undefined (nothing written yet, or a write failed: rewrite it whole).
  // Plain descriptors, not FileHandles: Bun throws when the GC finds an unclosed FileHandle.
  private file: number | undefined;
  private fileStart: number;
  private flushedOffset: number;
  /** Whether the last write was a flood's worth: the next one then waits longer. */
  private flooding = false;
  private cancelTimer: (() => void) | undefined;
  // Writes run one at a time, in order; `queued` is the next one while it has not started (it
  // will take whatever the ring holds when it starts, so a second request joins it), `tail`
  // the last one while it runs.
  private tail: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly path: string,
    private readonly ring: RingBuffer,
    private readonly context: JournalContext,
  ) {
    this.fileStart = ring.start;
    this.flushedOffset = ring.start;
  }

  touch(): void {
    if (this.closing || this.cancelTimer !== undefined || this.queued) return;
    this.cancelTimer = this.context.setTimer(
      () => this.enqueue(false),
      this.flooding ? SCROLLBACK_FLOOD_FLUSH_MS : SCROLLBACK_FLUSH_MS,
    );
  }

  flush(): Promise<void> {
    return this.closing ?? this.enqueue(false);
  }

  close(screen?: Promise<ScreenSnapshot>): Promise<void> {
    this.closing ??= Promise.all([
      this.enqueue(true).then(async () => {
        const last = this.file;
        this.file = undefined;
        if (last !== undefined) await closeAsync(last).catch((error) => this.fail(error));
      }),
      screen && this.keepScreen(screen),
    ]).then(() => {});
    return this.closing;
  }

  /** Write the final terminal state whole, or not at all (a temporary file, then a rename). */
  private async keepScreen(screen: Promise<ScreenSnapshot>): Promise<void> {
    const path = this.path.replace(/\.log$/, SCREEN_SUFFIX);
    const tmp = `${path}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(await screen), { mode: 0o600 });
      await rename(tmp, path);
    } catch (error) {
      this.context.onError(error, `keeping the final screen in ${path}`);
      await rm(tmp, { force: true }).catch(() => {});
    }
  }

  private enqueue(final: boolean): Promise<void> {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.queued && !final) return this.queued;
    const next = (this.tail ?? Promise.resolve()).then(async () => {
      if (this.queued === next) this.queued = undefined;
      try {
        this.flooding = (await this.write(final)) >= FLOOD_BYTES;
      } catch (error) {
        const failed = this.file;
        this.file = undefined;
        if (failed !== undefined) {
          // An append that failed half-way (disk full) may have left part of its bytes, or
          // bytes the ring overwrote meanwhile: cut the file back to what is known good, so
          // that it still holds exactly [fileStart, flushedOffset) if no rewrite ever succeeds.
          await truncateAsync(failed, HEADER_BYTES + this.flushedOffset - this.fileStart).catch(
            () => {},
          );
          await closeAsync(failed).catch(() => {});
        }
        this.fail(error);
      }
      if (this.tail === next) this.tail = undefined;
    });
    this.queued = next;
    this.tail = next;
    return next;
  }

  private fail(error: unknown): void {
    // One context for every file: a full disk fails them all, and is reported as one failure.
    this.context.onError(error, "writing scrollback");
  }

  /** Brings the file up to ring.end; returns how many bytes it wrote. */
  private async write(final: boolean): Promise<number> {
    const ring = this.ring;
    const from = this.flushedOffset;
    const to = ring.end;
    const appendable =
      this.file !== undefined && from >= ring.start && to - this.fileStart <= 2 * ring.capacity;
    // The last write leaves exactly the ring in the file: a finished session keeps its
    // scrollback's tail, at most SCROLLBACK_BYTES, not the older bytes a running file may hold.
    if (appendable && !(final && this.fileStart !== ring.start)) {
      if (from === to) return 0;
      const file = this.file as number;
      await writeAll(file, ring.views(from), HEADER_BYTES + from - this.fileStart);
      if (ring.start <= from) {
        this.flushedOffset = to;
        return to - from;
      }
      // New output overtook the bytes being written: cut off the tail they may have garbled.
      await truncateAsync(file, HEADER_BYTES + from - this.fileStart);
    }
    const whole = final || !this.flooding || ring.end - ring.start < ring.capacity;
    // A full ring drops its oldest bytes with every read from the PTY: during a flood (or when
    // the whole ring was overtaken), begin a quarter in, so that the write is done before new
    // output reaches what it reads. The last write, once the ring is still, takes all of it.
    // When output outruns the disk even so, the tail is copied and written from the copy.
    const inPlace =
      (whole && (await this.rewrite(ring.start, false))) ||
      (await this.rewrite(ring.start + Math.floor(ring.capacity / 4), false));
    if (!inPlace) await this.rewrite(Math.max(ring.start, ring.end - COPY_LIMIT_BYTES), true);
    return this.flushedOffset - this.fileStart;
  }

  /**
   * Writes [from, ring.end) to a new file and renames it into place. From views into the ring
   * (false when new output overtook them during the write), or from a copy (always true).
   */
  private async rewrite(from: number, copy: boolean): Promise<boolean> {
    const ring = this.ring;
    const to = ring.end;
    const body = copy ? [Buffer.concat(ring.views(from))] : ring.views(from);
    const tmp = `${this.path}.tmp`;
    const fd = await openAsync(tmp, "w", 0o600);
    try {
      await writeAll(fd, [header(from), ...body], 0);
      if (!copy && ring.start > from) {
        await closeAsync(fd);
        await rm(tmp, { force: true });
        return false;
      }
      await rename(tmp, this.path);
    } catch (error) {
      // A rewrite that failed (disk full) leaves nothing behind: the file stays as it was.
      await closeAsync(fd).catch(() => {});
      await rm(tmp, { force: true }).catch(() => {});
      throw error;
    }
    if (this.file !== undefined) await closeAsync(this.file);
    this.file = fd;
    this.fileStart = from;
    this.flushedOffset = to;
    return true;
  }
}

const openAsync = promisify(open);
const closeAsync = promisify(close);
const truncateAsync = promisify(ftruncate);
const writevAsync = promisify(writev);

/** Writes every byte of `views` to `fd` at `position`, going on after a short write. */
async function writeAll(fd: number, views: Uint8Array[], position: number): Promise<void> {
  const rest = views.filter((view) => view.length > 0);
  let next = 0;
  while (next < rest.length) {
    let { bytesWritten } = await writevAsync(fd, rest.slice(next), position);
    if (bytesWritten === 0) throw new Error("scrollback write made no progress");
    position += bytesWritten;
    while (next < rest.length && bytesWritten >= (rest[next] as Uint8Array).length) {
      bytesWritten -= (rest[next] as Uint8Array).length;
      next += 1;
    }
    if (bytesWritten > 0) rest[next] = (rest[next] as Uint8Array).subarray(bytesWritten);
  }
}
