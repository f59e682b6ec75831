// Wire protocol of GET /api/v1/sessions/:id/stream (DESIGN §5).
//
//   server → client  binary  raw PTY output bytes, contiguous, in order
//                    text    ServerEvent (JSON): hello, truncated, state, resize, exit, pong,
//                            input, error
//   client → server  binary  input bytes for the PTY
//                    text    ClientMessage (JSON): resize, ping
//
// The first frame is always `hello`; the replay from max(since, bufferStart) follows it.
// Input has a budget per session: once more than 1 MiB of it waits for the program to read it,
// a client that sends more gets `input` "waiting" and the server stops reading its socket until
// the program has taken all but 512 KiB (`input` "flowing"). Input beyond 4 MiB waiting is
// dropped and reported as an `error` with code `input_refused`.
// Input that is only terminal query answers (terminal-replies.ts) is dropped until the client's
// replay has been sent, and from any client but the session's primary viewer.

import type { Session, SessionState } from "./session.ts";

export type ServerEvent =
  | { type: "hello"; session: Session; offset: number; bufferStart: number }
  | { type: "truncated"; from: number; to: number }
  | { type: "state"; state: SessionState; session: Session }
  | { type: "resize"; cols: number; rows: number }
  | { type: "exit"; exitCode: number | null; signal: string | null }
  | { type: "pong" }
  /** Sent to a client whose input must wait, and again once it flows; `backlog`: bytes waiting. */
  | { type: "input"; state: "waiting" | "flowing"; backlog: number }
  | { type: "error"; code: string; message: string };

export type ClientMessage = { type: "resize"; cols: number; rows: number } | { type: "ping" };

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
  /** The viewer fell further behind than the server keeps; reconnect with `since=`. */
  tooSlow: 4008,
} as const;

/** Smallest and largest accepted terminal dimension, in cells. */
export const MIN_TERMINAL_CELLS = 1;
export const MAX_TERMINAL_CELLS = 1000;

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
