// The PTY host's wire format over its unix socket: length-prefixed frames, JSON for control,
// raw bytes for terminal I/O (never base64, never per-byte JSON).
//
//   frame  = u32 big-endian length of the rest | u8 kind | body
//   kind 1 = control: UTF-8 JSON, one HostMessage or ServerMessage
//   kind 2 = output (host → server): 36-byte session id, then PTY output bytes
//   kind 3 = input (server → host): 36-byte session id, then input bytes
//
// Output is pumped from each session's ring and paused while the socket is congested (the PTY
// never is), so a slow server costs the host no memory beyond its rings. Input is bounded by the
// server: it sends a session no more than its input limit beyond what the host reported taken
// (`input_taken`), so the host never stops reading its socket because one PTY does not read.
// The first frame each way is `hello` carrying PROTOCOL_VERSION. Anything malformed is a
// FrameError: the receiver reports it and drops that connection, never the sessions.

import type { HostMessage, ServerMessage } from "./messages.ts";

/** Bumped whenever a frame or message changes incompatibly. */
export const PROTOCOL_VERSION = 4;

/** Largest frame accepted (body bytes); output is sent in far smaller pieces. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export const FrameKind = { control: 1, output: 2, input: 3 } as const;
type FrameKindValue = (typeof FrameKind)[keyof typeof FrameKind];

const ID_BYTES = 36;
const SESSION_ID = /^[0-9a-f-]{36}$/;
const HEADER_BYTES = 5;

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

/** Bytes of a byte frame before its body. */
export const BYTE_FRAME_OVERHEAD = HEADER_BYTES + ID_BYTES;

/**
 * One frame of terminal bytes for session `id`: one copy, into `scratch` when it is large enough
 * (the result is then a view of it, to be sent before the next call), else into a new array.
 */
export function encodeBytes(
  kind: typeof FrameKind.output | typeof FrameKind.input,
  id: string,
  bytes: Uint8Array,
  scratch?: Uint8Array,
): Uint8Array {
  const length = BYTE_FRAME_OVERHEAD + bytes.length;
  const frame =
    scratch && scratch.length >= length ? scratch.subarray(0, length) : new Uint8Array(length);
  writeHeader(frame, kind);
  encoder.encodeInto(id, frame.subarray(HEADER_BYTES, BYTE_FRAME_OVERHEAD));
  frame.set(bytes, BYTE_FRAME_OVERHEAD);
  return frame;
}

function writeHeader(frame: Uint8Array, kind: FrameKindValue): void {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  view.setUint32(0, frame.length - 4);
  frame[4] = kind;
}

/**
 * Splits a byte stream into frames. `push` returns what a chunk completes: control frames whole,
 * and the bytes of output/input frames as they arrive, so that a frame spread over several
 * chunks comes out as several pieces with the same kind and id, each a view into the chunk
 * (valid during the call only), never copied. Throws FrameError.
 */
export class FrameDecoder {
  /** The current frame's length prefix, kind and (byte frames) id, as far as received. */
  private readonly head = new Uint8Array(HEADER_BYTES + ID_BYTES);
  private headFilled = 0;
  /** Body bytes of the current byte frame still to come; 0 while reading a head. */
  private remaining = 0;
  private kind: typeof FrameKind.output | typeof FrameKind.input = FrameKind.output;
  private id = "";
  /** The body of the control frame being received, and how much of it has arrived. */
  private control: Uint8Array | undefined;
  private controlFilled = 0;

  push(chunk: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - at);
        frames.push({ kind: this.kind, id: this.id, bytes: chunk.subarray(at, at + take) });
        this.remaining -= take;
        at += take;
      } else if (this.control) {
        const take = Math.min(this.control.length - this.controlFilled, chunk.length - at);
        this.control.set(chunk.subarray(at, at + take), this.controlFilled);
        this.controlFilled += take;
        at += take;
        if (this.controlFilled === this.control.length) {
          frames.push(parseControl(this.control));
          this.control = undefined;
        }
      } else {
        at = this.readHead(chunk, at, frames);
      }
    }
    return frames;
  }

  /** Consumes head bytes from `chunk` at `at`; returns where it stopped. */
  private readHead(chunk: Uint8Array, at: number, frames: Frame[]): number {
    // The length prefix (checked at once), the kind, then a byte frame's id.
    const wanted =
      this.headFilled < 4 ? 4 : this.headFilled < HEADER_BYTES ? HEADER_BYTES : this.head.length;
    const take = Math.min(wanted - this.headFilled, chunk.length - at);
    this.head.set(chunk.subarray(at, at + take), this.headFilled);
    this.headFilled += take;
    if (this.headFilled < wanted) return at + take;
    const length = checkLength(new DataView(this.head.buffer).getUint32(0));
    if (this.headFilled < HEADER_BYTES) return at + take;
    const kind = this.head[4];
    if (kind === FrameKind.control) {
      this.headFilled = 0;
      this.control = new Uint8Array(length - 1);
      this.controlFilled = 0;
      if (length === 1) {
        frames.push(parseControl(this.control));
        this.control = undefined;
      }
    } else if (kind === FrameKind.output || kind === FrameKind.input) {
      if (length < 1 + ID_BYTES) throw new FrameError("byte frame is shorter than its id");
      if (this.headFilled < this.head.length) return at + take;
      const id = Buffer.from(this.head.buffer, HEADER_BYTES, ID_BYTES).toString("latin1");
      if (!SESSION_ID.test(id)) throw new FrameError("byte frame has an invalid session id");
      this.headFilled = 0;
      this.kind = kind;
      this.id = id;
      this.remaining = length - 1 - ID_BYTES;
    } else {
      throw new FrameError(`unknown frame kind ${kind}`);
    }
    return at + take;
  }
}

function checkLength(length: number): number {
  if (length < 1 || length > MAX_FRAME_BYTES) {
    throw new FrameError(`frame length ${length} is outside 1–${MAX_FRAME_BYTES}`);
  }
  return length;
}

function parseControl(body: Uint8Array): Frame {
  let message: unknown;
  try {
    message = JSON.parse(decoder.decode(body));
  } catch {
    throw new FrameError("control frame is not UTF-8 JSON");
  }
  if (typeof message !== "object" || message === null || Array.isArray(message)) {
    throw new FrameError("control frame is not a JSON object");
  }
  return { kind: FrameKind.control, message };
}
