// GET /sessions/:id/changes: the git repository the session's folder is in (its state, plainly)
// and every changed file under that folder: the working tree against HEAD (staged and unstaged
// together), untracked files as added, each with its unified diff unless binary or too large.

import * as z from "zod/mini";

/** A file whose diff has more changed lines than this comes summarised, without its text. */
export const CHANGES_FILE_LINES = 10_000;
/** A file whose diff text is longer than this (bytes) comes summarised, without its text. */
export const CHANGES_FILE_BYTES = 1024 * 1024;
/** Most diff text one answer holds (bytes): files past it come summarised ("budget"). */
export const CHANGES_TOTAL_BYTES = 8 * 1024 * 1024;
/** Most untracked files diffed (one git process each); the others come summarised ("budget"). */
export const CHANGES_UNTRACKED_DIFFS = 200;
/** Most files one answer lists; past it `truncated` is true. */
export const CHANGES_FILE_LIMIT = 2000;

export const repoOperationSchema = z.enum(["merge", "rebase", "cherry_pick", "revert", "bisect"]);
export type RepoOperation = z.infer<typeof repoOperationSchema>;

/** Where the repository stands. `head` is null when nothing is committed yet. */
export const repoStateSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("not_a_repository") }),
  z.object({
    kind: z.literal("repository"),
    /** The branch checked out; null on a detached HEAD (and with no commits, the unborn one). */
    branch: z.nullable(z.string()),
    /** HEAD's commit (full hash); null when nothing is committed yet. */
    head: z.nullable(z.string()),
    /** The commit the working tree is compared with: HEAD's, the one asked for, or null (none). */
    base: z.nullable(z.string()),
    /** An operation left unfinished (a merge, a rebase…), or null. */
    operation: z.nullable(repoOperationSchema),
    /** The session's folder relative to the repository's top ("" when it is the top). */
    prefix: z.string(),
  }),
]);
export type RepoState = z.infer<typeof repoStateSchema>;

export const changeKindSchema = z.enum([
  "added",
  "modified",
  "deleted",
  "renamed",
  "copied",
  "type_changed",
  "untracked",
  "conflicted",
]);
export type ChangeKind = z.infer<typeof changeKindSchema>;

export const changedFileSchema = z.object({
  /** Relative to the session's folder. */
  path: z.string(),
  /** Renames and copies: where it came from. */
  oldPath: z.nullable(z.string()),
  kind: changeKindSchema,
  /** The index differs from HEAD for this file (`git add` was run on a change). */
  staged: z.boolean(),
  /** The working tree differs from the index for this file. */
  unstaged: z.boolean(),
  /** Lines added and removed; null for binary files (and untracked ones not diffed). */
  additions: z.nullable(z.int()),
  deletions: z.nullable(z.int()),
  binary: z.boolean(),
  /**
   * Why `diff` is null: a binary file, a diff past CHANGES_FILE_LINES or CHANGES_FILE_BYTES,
   * or the answer's limits reached before it (CHANGES_TOTAL_BYTES, CHANGES_UNTRACKED_DIFFS).
   * Null when the diff is given, or when there is no textual difference (a file staged and then
   * restored, an empty file).
   */
  summarised: z.nullable(z.enum(["binary", "too_large", "budget"])),
  /** The file's unified diff (git's `diff --git` text), or null. */
  diff: z.nullable(z.string()),
});
export type ChangedFile = z.infer<typeof changedFileSchema>;

export const changesSchema = z.object({
  repo: repoStateSchema,
  files: z.array(changedFileSchema),
  /** More than CHANGES_FILE_LIMIT files changed: the rest is left out. */
  truncated: z.boolean(),
});
export type Changes = z.infer<typeof changesSchema>;
