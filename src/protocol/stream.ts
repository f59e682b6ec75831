// Wire protocol of GET /api/v1/sessions/:id/stream (DESIGN §5).
//
//   server → client  binary  raw PTY output bytes, contiguous, in order
//                    text    ServerEvent (JSON): hello, truncated, state, resize, exit, pong,
//                            input, error
//   client → server  binary  input bytes for the PTY
//                    text    ClientMessage (JSON): resize, ping
//
// The first frame is always `hello`; the replay from max(since, bufferStart) follows it, or a
// snapshot when a replay cannot rebuild the terminal or would be long: with `since` older than
// bufferStart, or without `since` once the output kept is over REPLAY_LIMIT_BYTES. A snapshot is
// a `snapshot` event, then one binary frame of `bytes` bytes which, written to a freshly reset
// terminal of cols × rows, reproduces the session's terminal (screens, modes, cursor, a bounded
// scrollback) as it is at output offset `offset`; binary frames after it are the output from
// `offset` on. A viewer that fell further behind than the ring holds gets one the same way
// (it resyncs); one that stopped reading altogether is closed with 4008.
// Input has a budget per session: once more than 1 MiB of it waits for the program to read it,
// a client that sends more gets `input` "waiting" and the server stops reading its socket until
// the program has taken all but 512 KiB (`input` "flowing"). Input beyond 4 MiB waiting is
// dropped and reported as an `error` with code `input_refused`.
// Input that is only terminal query answers (terminal-replies.ts) is dropped until the client's
// replay has been sent, and from any client but the session's primary viewer.

import * as z from "zod/mini";
import { sessionSchema, sessionStateSchema } from "./session.ts";

/** Smallest and largest accepted terminal dimension, in cells. */
export const MIN_TERMINAL_CELLS = 1;
export const MAX_TERMINAL_CELLS = 1000;

/** A terminal's width or height, in cells. */
export const terminalCellsSchema = z
  .int()
  .check(z.minimum(MIN_TERMINAL_CELLS), z.maximum(MAX_TERMINAL_CELLS));

/** A text frame the server sends (the table above); the browser decodes each with this. */
export const serverEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("hello"),
    session: sessionSchema,
    offset: z.number(),
    bufferStart: z.number(),
  }),
  z.object({ type: z.literal("truncated"), from: z.number(), to: z.number() }),
  /** Reset the terminal; the next binary frame (`bytes` long) is the state at `offset`. */
  z.object({
    type: z.literal("snapshot"),
    offset: z.number(),
    cols: z.number(),
    rows: z.number(),
    bytes: z.number(),
  }),
  z.object({ type: z.literal("state"), state: sessionStateSchema, session: sessionSchema }),
  z.object({ type: z.literal("resize"), cols: z.number(), rows: z.number() }),
  z.object({
    type: z.literal("exit"),
    exitCode: z.nullable(z.number()),
    signal: z.nullable(z.string()),
  }),
  z.object({ type: z.literal("pong") }),
  /** Sent to a client whose input must wait, and again once it flows; `backlog`: bytes waiting. */
  z.object({
    type: z.literal("input"),
    state: z.enum(["waiting", "flowing"]),
    backlog: z.number(),
  }),
  z.object({ type: z.literal("error"), code: z.string(), message: z.string() }),
]);
export type ServerEvent = z.infer<typeof serverEventSchema>;

/** A text frame a client sends; the server answers any other with `error` invalid_message. */
export const clientMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("resize"), cols: terminalCellsSchema, rows: terminalCellsSchema }),
  z.object({ type: z.literal("ping") }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

/** WebSocket close codes used by the stream. */
export const CloseCode = {
  /** Normal close; sent after `exit` to a viewer of a finished session. */
  normal: 1000,
  /** Server shutting down. */
  goingAway: 1001,
  /** The peer stopped answering pings. */
  timeout: 4000,
  /** The token the socket was opened with no longer signs in (signed out, password changed). */
  signedOut: 4001,
  /** The session was deleted while being watched. */
  sessionDeleted: 4004,
  /** The share link the socket was opened with was revoked or has expired (src/protocol/shares.ts). */
  shareEnded: 4403,
  /**
   * The viewer stopped reading while further behind than the server keeps; reconnect with
   * `since=` (a viewer that reads again in time gets a snapshot instead).
   */
  tooSlow: 4008,
} as const;

/** Without `since`, output kept beyond this much is sent as a snapshot instead of replayed. */
export const REPLAY_LIMIT_BYTES = 256 * 1024;

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
