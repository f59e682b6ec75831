// Bodies of the /sessions requests (DESIGN §4): the schemas the server validates them with
// (zod/mini; messages name the offending field) and the types the web sends, inferred from them.
//
//   POST  /sessions               NewSession     → 201 Session
//   PATCH /sessions/:id           SessionRename  → Session
//   POST  /sessions/:id/input     SessionInput   → 204
//   POST  /sessions/:id/resize    SessionResize  → 204
//   POST  /sessions/:id/answer    PromptAnswer   → Session

import * as z from "zod/mini";
import { MAX_TERMINAL_CELLS, terminalCellsSchema } from "./stream.ts";

/** 0 or absent means "default size" (80×24) when creating. */
const initialCells = z.optional(z.int().check(z.minimum(0), z.maximum(MAX_TERMINAL_CELLS)));

export const newSessionSchema = z.object({
  provider: z.string().check(z.minLength(1), z.maxLength(64)),
  cwd: z
    .string({ error: "cwd is required" })
    .check(z.minLength(1, "cwd is required"), z.maxLength(4096)),
  name: z.optional(z.string().check(z.maxLength(200))),
  args: z.optional(z.array(z.string().check(z.maxLength(8192))).check(z.maxLength(256))),
  env: z.optional(
    z.record(z.string().check(z.maxLength(256)), z.string().check(z.maxLength(32_768))),
  ),
  cols: initialCells,
  rows: initialCells,
  bypass: z.optional(z.boolean()),
  model: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  /** Continue the CLI's last conversation in this folder (providers that can). */
  resume: z.optional(z.literal("last")),
  parentSessionId: z.optional(z.uuid()),
});
export type NewSession = z.infer<typeof newSessionSchema>;

export const sessionRenameSchema = z.object({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
});
export type SessionRename = z.infer<typeof sessionRenameSchema>;

/** Text typed into the session (UTF-8); NUL is allowed, it is a key. */
export const sessionInputSchema = z.object({ data: z.string().check(z.maxLength(1024 * 1024)) });
export type SessionInput = z.infer<typeof sessionInputSchema>;

export const sessionResizeSchema = z.object({
  cols: terminalCellsSchema,
  rows: terminalCellsSchema,
});
export type SessionResize = z.infer<typeof sessionResizeSchema>;

/** An answer to the waiting prompt `fingerprint` names: the index of one of its options. */
export const promptAnswerSchema = z.object({
  fingerprint: z.string().check(z.regex(/^[0-9a-f]{64}$/, "fingerprint must be 64 hex digits")),
  option: z.int().check(z.minimum(0), z.maximum(8)),
});
export type PromptAnswer = z.infer<typeof promptAnswerSchema>;
