// Bodies of the /sessions requests (DESIGN §4): the schemas the server validates them with
// (zod/mini; messages name the offending field) and the types the web sends, inferred from them.
//
//   POST  /sessions               NewSession     → 201 Session
//   PATCH /sessions/:id           SessionRename  → Session
//   POST  /sessions/:id/input     SessionInput   → 204
//   POST  /sessions/:id/resize    SessionResize  → 204
//   POST  /sessions/:id/answer    PromptAnswer   → Session
//   DELETE /sessions/:id          ?worktree=keep|remove → 204, or 200 SessionDeleted (a worktree)

import * as z from "zod/mini";
import { MAX_TERMINAL_CELLS, terminalCellsSchema } from "./stream.ts";

/** Longest branch name a session's worktree may be given (before the `opendray/` prefix). */
export const MAX_WORKTREE_BRANCH = 100;

/**
 * A branch name the server accepts for a worktree: a safe subset of what
 * `git check-ref-format --branch` allows (the server runs that too). Letters, digits, `.`, `_`,
 * `-` and `/`; starts with a letter or digit; no `..`, `//`, `@{`, no part starting with `.` or
 * ending with `.lock`, no trailing `/` or `.`.
 */
export const worktreeBranchSchema = z.string().check(
  z.maxLength(MAX_WORKTREE_BRANCH, `a branch name has at most ${MAX_WORKTREE_BRANCH} characters`),
  z.regex(
    /^[A-Za-z0-9][A-Za-z0-9._/-]*$/,
    "a branch name starts with a letter or digit and holds only letters, digits, '.', '_', '-' and '/'",
  ),
  z.refine(
    (name) => !/\.\.|\/\/|\/\.|\.lock(\/|$)|[/.]$/.test(name),
    "a branch name has no '..', '//', part starting with '.', part ending with '.lock', or trailing '/' or '.'",
  ),
);

/**
 * `worktree` of POST /sessions: true (branch `opendray/<slug of the name, or short id>`) or a
 * name `x` (branch `opendray/x`).
 */
export const worktreeRequestSchema = z.union([z.literal(true), worktreeBranchSchema]);
export type WorktreeRequest = z.infer<typeof worktreeRequestSchema>;

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
  /** Run in a new git worktree of the repository holding `cwd` (see worktreeRequestSchema). */
  worktree: z.optional(worktreeRequestSchema),
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

/** `?worktree=` of DELETE /sessions/:id: keep (the default) or remove the session's worktree. */
export const deleteQuerySchema = z.object({
  worktree: z.optional(z.enum(["keep", "remove"])),
});
export type DeleteQuery = z.infer<typeof deleteQuerySchema>;

/** What DELETE /sessions/:id did to the worktree of a session that had one (200). */
export const sessionDeletedSchema = z.object({
  worktree: z.object({
    path: z.string(),
    branch: z.string(),
    /** The worktree's folder was removed (`?worktree=remove`); false: it is kept as it was. */
    removed: z.boolean(),
    /** The branch was deleted too (only when removed and merged into the repository's HEAD). */
    branchDeleted: z.boolean(),
    /** For people: what was kept and why. */
    message: z.string(),
  }),
});
export type SessionDeleted = z.infer<typeof sessionDeletedSchema>;
