// Recordings on disk: one file per session under DATA_DIR/recordings (recording-format.ts),
// written by a Recorder on the side that owns the PTY and read back, streaming, by exports.

import { closeSync, mkdirSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Recorder } from "./recorder.ts";
import {
  decodeHeader,
  encodeHeader,
  HEADER_BYTES,
  RECORD_HEADER_BYTES,
  type RecordingHeader,
  RecordKind,
} from "./recording-format.ts";
import type { RingBuffer } from "./ring-buffer.ts";

const SESSION_ID = /^[0-9a-f-]{36}$/;

/** One piece of a recording, in order: output (a run may come in several pieces) or a resize. */
export type RecordPiece =
  | { kind: "output"; timeMs: number; bytes: Uint8Array }
  | { kind: "resize"; timeMs: number; cols: number; rows: number };

export interface StoredRecording {
  header: RecordingHeader;
  /** Bytes of the file. */
  size: number;
  /** Reads the file from the start; stops at its end (a record cut short by a crash ends it). */
  pieces(): AsyncGenerator<RecordPiece>;
}

export interface RecordingStore {
  /**
   * Start recording a session whose ring is about to take its first output: undefined when
   * `limitBytes` is 0 (recording off) or the file cannot be made (reported through onError).
   */
  open(
    sessionId: string,
    ring: RingBuffer,
    size: { cols: number; rows: number },
    limitBytes: number,
  ): Recorder | undefined;
  /** A session's recording, or undefined when it has none. */
  read(sessionId: string): Promise<StoredRecording | undefined>;
  remove(sessionId: string): void;
}

/** @param dir folder of the files (created 0700) */
export function createRecordingStore(
  dir: string,
  onError: (error: unknown, context: string) => void = () => {},
): RecordingStore {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pathOf = (id: string) => {
    // Ids come from URLs: never let one name a path outside the folder.
    if (!SESSION_ID.test(id)) throw new Error(`invalid session id for a recording: ${id}`);
    return join(dir, `${id}.rec`);
  };
  return {
    open(sessionId, ring, { cols, rows }, limitBytes) {
      if (limitBytes <= 0) return undefined;
      let fd: number | undefined;
      try {
        fd = openSync(pathOf(sessionId), "w", 0o600);
        writeSync(fd, encodeHeader({ startedMs: Date.now(), cols, rows, flags: 0 }));
        return new Recorder(fd, ring, { cols, rows }, Math.max(limitBytes, HEADER_BYTES), onError);
      } catch (error) {
        if (fd !== undefined) closeSync(fd);
        onError(error, `starting the recording of session ${sessionId}`);
        return undefined;
      }
    },

    async read(sessionId) {
      const file = Bun.file(pathOf(sessionId));
      let header: RecordingHeader | undefined;
      try {
        header = decodeHeader(new Uint8Array(await file.slice(0, HEADER_BYTES).arrayBuffer()));
      } catch {
        return undefined;
      }
      if (!header) return undefined;
      const size = file.size;
      return {
        header,
        size,
        // Up to the size seen now: a live session's recording grows meanwhile.
        pieces: () => readPieces(file.slice(HEADER_BYTES, size).stream()),
      };
    },

    remove(sessionId) {
      rmSync(pathOf(sessionId), { force: true });
    },
  };
}

/** The records of a file's body, parsed as its chunks come. */
async function* readPieces(stream: ReadableStream<Uint8Array>): AsyncGenerator<RecordPiece> {
  const head = Buffer.alloc(RECORD_HEADER_BYTES);
  let headFill = 0;
  let remaining = 0;
  let timeMs = 0;
  for await (const chunk of stream) {
    let at = 0;
    while (at < chunk.length) {
      if (remaining > 0) {
        const take = Math.min(remaining, chunk.length - at);
        yield { kind: "output", timeMs, bytes: chunk.subarray(at, at + take) };
        at += take;
        remaining -= take;
        continue;
      }
      const take = Math.min(RECORD_HEADER_BYTES - headFill, chunk.length - at);
      head.set(chunk.subarray(at, at + take), headFill);
      headFill += take;
      at += take;
      if (headFill < RECORD_HEADER_BYTES) break;
      headFill = 0;
      const kind = head.readUInt8(0);
      timeMs = head.readDoubleLE(1);
      const length = head.readUInt32LE(9);
      if (kind === RecordKind.output) remaining = length;
      else if (kind === RecordKind.resize) {
        yield { kind: "resize", timeMs, cols: length >>> 16, rows: length & 0xffff };
      } else return; // Not a record: the rest is unreadable.
    }
  }
}
