// The host's check of what a server sends: every control message is validated before it can
// start a process or touch a session (a malformed one drops that connection, nothing else).

import { z } from "zod";
import { FORWARDED_SIGNALS, type ServerMessage } from "./frames.ts";

const SESSION_ID = /^[0-9a-f-]{36}$/;
const cells = z.number().int().min(1).max(65_535);
/** Parses one control frame from a server into a ServerMessage. */
export const serverMessage: z.ZodType<ServerMessage> = z.discriminatedUnion("type", [
  z.object({ type: z.literal("hello"), protocol: z.number(), version: z.string() }),
  z.object({
    type: z.literal("spawn"),
    id: z.string().regex(SESSION_ID),
    file: z.string().min(1),
    args: z.array(z.string()),
    cwd: z.string().min(1),
    env: z.record(z.string(), z.string()),
    cols: cells,
    rows: cells,
  }),
  z.object({ type: z.literal("resize"), id: z.string(), cols: cells, rows: cells }),
  z.object({
    type: z.literal("signal"),
    id: z.string(),
    signal: z.enum(FORWARDED_SIGNALS),
  }),
  z.object({ type: z.literal("forget"), id: z.string() }),
  z.object({
    type: z.literal("screen"),
    id: z.string(),
    request: z.number().int().nonnegative(),
  }),
]);
