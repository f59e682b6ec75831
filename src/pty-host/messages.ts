// The PTY host's control messages (frames.ts carries them as JSON), both ways, defined once as
// schemas: the types are derived from them, so what is checked and what is sent cannot drift.
// The host checks every message a server sends before it can start a process or touch a
// session; the server checks what the host sends. A message that fails its check drops that
// connection, never a session.

import { z } from "zod";

const SESSION_ID = /^[0-9a-f-]{36}$/;
const sessionId = z.string().regex(SESSION_ID);
const cells = z.number().int().min(1).max(65_535);
const offset = z.number().int().nonnegative();

/** The signals a server may ask the host to send to a session's process group. */
export const FORWARDED_SIGNALS = ["SIGHUP", "SIGINT", "SIGTERM", "SIGKILL"] as const;
export type ForwardedSignal = (typeof FORWARDED_SIGNALS)[number];

const exit = z.object({ exitCode: z.number().int().nullable(), signal: z.string().nullable() });

/** A session the host runs (or ran, until the server forgets it), as told in its hello. */
const hostedSessionInfo = z.object({
  id: sessionId,
  pid: z.number().int(),
  cols: cells,
  rows: cells,
  /**
   * The replay: output frames after the hello carry [start, end) first (the ring at the hello),
   * then live output; a `skip` may move `start` on when the ring overtook the server.
   */
  start: offset,
  end: offset,
  /** Set when the process has ended; its `exit` message follows the replay. */
  exit: exit.optional(),
});
export type HostedSessionInfo = z.infer<typeof hostedSessionInfo>;

const screenSnapshot = z.object({
  offset,
  cols: cells,
  rows: cells,
  data: z.string(),
});

/** Control messages from the server to the host. */
export const serverMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("hello"), protocol: z.number(), version: z.string() }),
  z.object({
    type: z.literal("spawn"),
    id: sessionId,
    file: z.string().min(1),
    args: z.array(z.string()),
    cwd: z.string().min(1),
    env: z.record(z.string(), z.string()),
    cols: cells,
    rows: cells,
    /** RECORDING_LIMIT of the server that spawns it: the host records the session (0 or absent: not). */
    recordingLimit: z.number().int().nonnegative().optional(),
  }),
  z.object({
    type: z.literal("resize"),
    id: z.string(),
    cols: cells,
    rows: cells,
    /** A momentary size that only makes the program draw again: not recorded. */
    repaint: z.boolean().optional(),
  }),
  z.object({ type: z.literal("signal"), id: z.string(), signal: z.enum(FORWARDED_SIGNALS) }),
  /** The server stored the exit: the host may drop the session. */
  z.object({ type: z.literal("forget"), id: z.string() }),
  /** Ask for the session's terminal state; answered by a `screen` message with `request`. */
  z.object({ type: z.literal("screen"), id: z.string(), request: offset }),
  /** Ask for the text on the session's screen; answered by a `text` message with `request`. */
  z.object({ type: z.literal("text"), id: z.string(), request: offset }),
  /**
   * Ask for the output the host's ring holds from `from`, at most `max` bytes (absent: all);
   * answered by `output` with `request`.
   */
  z.object({
    type: z.literal("read"),
    id: z.string(),
    request: offset,
    from: offset,
    max: z.optional(offset),
  }),
]);
export type ServerMessage = z.infer<typeof serverMessage>;

/** Control messages from the host to the server. */
export const hostMessage = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("hello"),
    protocol: z.number(),
    version: z.string(),
    pid: z.number().int(),
    sessions: z.array(hostedSessionInfo),
  }),
  /** The server fell behind the host's ring: output continues at `to`; what was before is lost. */
  z.object({ type: z.literal("skip"), id: sessionId, to: offset }),
  z.object({ type: z.literal("spawned"), id: sessionId, pid: z.number().int() }),
  z.object({ type: z.literal("spawn_failed"), id: sessionId, message: z.string() }),
  z.object({ type: z.literal("exit"), id: sessionId, ...exit.shape }),
  /** The session's PTY took `bytes` more of the input this server sent (reported in batches). */
  z.object({ type: z.literal("input_taken"), id: sessionId, bytes: offset }),
  /** The terminal state asked for (null: the host has no such session, or it has ended). */
  z.object({
    type: z.literal("screen"),
    id: z.string(),
    request: offset,
    snapshot: screenSnapshot.nullable(),
  }),
  /** The screen's text asked for (null: the host has no such session, or it has ended). */
  z.object({
    type: z.literal("text"),
    id: z.string(),
    request: offset,
    screen: z
      .object({
        offset,
        lines: z.array(z.string()),
        cursorRow: z.number().int().nonnegative(),
        bracketedPaste: z.boolean(),
      })
      .nullable(),
  }),
  /**
   * The output asked for by `read`, base64 (rare: a REST read of a session whose server keeps
   * no copy); `start` is where it begins, after `from` when the ring no longer reaches back.
   * Null: the host has no such session.
   */
  z.object({
    type: z.literal("output"),
    id: z.string(),
    request: offset,
    output: z.object({ start: offset, base64: z.string() }).nullable(),
  }),
  z.object({ type: z.literal("error"), code: z.string(), message: z.string() }),
]);
export type HostMessage = z.infer<typeof hostMessage>;
