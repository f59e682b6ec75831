// The PTY host's wire format over its unix socket: length-prefixed frames, JSON for control,
// raw bytes for terminal I/O (never base64, never per-byte JSON).
//
//   frame  = u32 big-endian length of the rest | u8 kind | body
//   kind 1 = control: UTF-8 JSON, one HostMessage or ServerMessage
//   kind 2 = output (host → server): 36-byte session id, then PTY output bytes
//   kind 3 = input (server → host): 36-byte session id, then input bytes
//
// Output is pumped from each session's ring and paused while the socket is congested (the PTY
// never is), so a slow server costs the host no memory beyond its rings.
// The first frame each way is `hello` carrying PROTOCOL_VERSION. Anything malformed is a
// FrameError: the receiver reports it and drops that connection, never the sessions.

import type { PtyExit } from "../sessions/pty.ts";

/** Bumped whenever a frame or message changes incompatibly. */
export const PROTOCOL_VERSION = 1;

/** Largest frame accepted (body bytes); output is sent in far smaller pieces. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export const FrameKind = { control: 1, output: 2, input: 3 } as const;
type FrameKindValue = (typeof FrameKind)[keyof typeof FrameKind];

const ID_BYTES = 36;
const SESSION_ID = /^[0-9a-f-]{36}$/;
const HEADER_BYTES = 5;

/** A session the host runs (or ran, until the server forgets it), as told in its hello. */
export interface HostedInfo {
  id: string;
  pid: number;
  cols: number;
  rows: number;
  /**
   * The replay: output frames after the hello carry [start, end) first (the ring at the hello),
   * then live output; a `skip` may move `start` on when the ring overtook the server.
   */
  start: number;
  end: number;
  /** Set when the process has ended; its `exit` message follows the replay. */
  exit?: PtyExit;
}

/** The signals a server may ask the host to send to a session's process group. */
export type ForwardedSignal = "SIGHUP" | "SIGINT" | "SIGTERM" | "SIGKILL";

/** Control messages from the server to the host. */
export type ServerMessage =
  | { type: "hello"; protocol: number; version: string }
  | {
      type: "spawn";
      id: string;
      file: string;
      args: string[];
      cwd: string;
      env: Record<string, string>;
      cols: number;
      rows: number;
    }
  | { type: "resize"; id: string; cols: number; rows: number }
  | { type: "signal"; id: string; signal: ForwardedSignal }
  /** The server stored the exit: the host may drop the session. */
  | { type: "forget"; id: string };

/** Control messages from the host to the server. */
export type HostMessage =
  | { type: "hello"; protocol: number; version: string; pid: number; sessions: HostedInfo[] }
  /** The server fell behind the host's ring: output continues at `to`; what was before is lost. */
  | { type: "skip"; id: string; to: number }
  | { type: "spawned"; id: string; pid: number }
  | { type: "spawn_failed"; id: string; message: string }
  | { type: "exit"; id: string; exitCode: number | null; signal: string | null }
  | { type: "error"; code: string; message: string };

export type Frame =
  | { kind: typeof FrameKind.control; message: unknown }
  | { kind: typeof FrameKind.output | typeof FrameKind.input; id: string; bytes: Uint8Array };

/** A malformed frame; `message` says what was wrong, for the peer and the log. */
export class FrameError extends Error {
  override name = "FrameError";
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export function encodeControl(message: ServerMessage | HostMessage): Uint8Array {
  const json = encoder.encode(JSON.stringify(message));
  const frame = new Uint8Array(HEADER_BYTES + json.length);
  writeHeader(frame, FrameKind.control);
  frame.set(json, HEADER_BYTES);
  return frame;
}

/** One frame of terminal bytes for session `id` (one allocation, one copy). */
export function encodeBytes(
  kind: typeof FrameKind.output | typeof FrameKind.input,
  id: string,
  bytes: Uint8Array,
): Uint8Array {
  const frame = new Uint8Array(HEADER_BYTES + ID_BYTES + bytes.length);
  writeHeader(frame, kind);
  encoder.encodeInto(id, frame.subarray(HEADER_BYTES, HEADER_BYTES + ID_BYTES));
  frame.set(bytes, HEADER_BYTES + ID_BYTES);
  return frame;
}

function writeHeader(frame: Uint8Array, kind: FrameKindValue): void {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  view.setUint32(0, frame.length - 4);
  frame[4] = kind;
}

/**
 * Splits a byte stream into frames. `push` returns the frames completed by a chunk; the bodies
 * of output/input frames are views valid until the next `push`. Each byte is copied at most
 * once (a frame spread over several chunks is assembled once it is complete). Throws FrameError.
 */
export class FrameDecoder {
  /** Received bytes not yet returned as frames, in order; copies, never the caller's chunks. */
  private held: Uint8Array[] = [];
  private heldBytes = 0;

  push(chunk: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    let data = chunk;
    if (this.held.length > 0) {
      // Complete the frame that started in earlier chunks first.
      this.held.push(chunk);
      this.heldBytes += chunk.length;
      const length = this.frameLength();
      if (length === undefined || this.heldBytes < 4 + length) {
        this.held[this.held.length - 1] = chunk.slice();
        return frames;
      }
      const joined = Buffer.concat(this.held, this.heldBytes);
      this.held = [];
      this.heldBytes = 0;
      frames.push(parseFrame(joined.subarray(4, 4 + length)));
      data = joined.subarray(4 + length);
    }
    let at = 0;
    while (data.length - at >= 4) {
      const length = checkLength(new DataView(data.buffer, data.byteOffset + at, 4).getUint32(0));
      if (data.length - at < 4 + length) break;
      frames.push(parseFrame(data.subarray(at + 4, at + 4 + length)));
      at += 4 + length;
    }
    if (at < data.length) {
      this.held = [data.slice(at)];
      this.heldBytes = data.length - at;
    }
    return frames;
  }

  /** Length of the held frame, once its 4-byte prefix is complete. */
  private frameLength(): number | undefined {
    if (this.heldBytes < 4) return undefined;
    const prefix = new Uint8Array(4);
    let filled = 0;
    for (const part of this.held) {
      const take = part.subarray(0, 4 - filled);
      prefix.set(take, filled);
      filled += take.length;
      if (filled === 4) break;
    }
    return checkLength(new DataView(prefix.buffer).getUint32(0));
  }
}

function checkLength(length: number): number {
  if (length < 1 || length > MAX_FRAME_BYTES) {
    throw new FrameError(`frame length ${length} is outside 1–${MAX_FRAME_BYTES}`);
  }
  return length;
}

function parseFrame(body: Uint8Array): Frame {
  const kind = body[0];
  if (kind === FrameKind.control) {
    let message: unknown;
    try {
      message = JSON.parse(decoder.decode(body.subarray(1)));
    } catch {
      throw new FrameError("control frame is not UTF-8 JSON");
    }
    if (typeof message !== "object" || message === null || Array.isArray(message)) {
      throw new FrameError("control frame is not a JSON object");
    }
    return { kind, message };
  }
  if (kind === FrameKind.output || kind === FrameKind.input) {
    if (body.length < 1 + ID_BYTES) throw new FrameError("byte frame is shorter than its id");
    const id = Buffer.from(body.buffer, body.byteOffset + 1, ID_BYTES).toString("latin1");
    if (!SESSION_ID.test(id)) throw new FrameError("byte frame has an invalid session id");
    return { kind, id, bytes: body.subarray(1 + ID_BYTES) };
  }
  throw new FrameError(`unknown frame kind ${kind}`);
}
