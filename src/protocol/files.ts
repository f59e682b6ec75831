// GET /sessions/:id/files (a folder's listing) and the limits of the file browser's answers.
// The file's bytes (…/files/content) and a folder's archive (…/files/archive) are not JSON.

import * as z from "zod/mini";

/** Most entries one listing holds; past it `truncated` is true (folders first, then by name). */
export const FILES_LIST_LIMIT = 1000;
/** Most bytes `?preview=1` sends of a file; more is cut and marked `X-Truncated: 1`. */
export const FILES_PREVIEW_BYTES = 256 * 1024;

export const FILE_KINDS = ["file", "dir", "symlink", "other"] as const;

export const fileEntrySchema = z.object({
  name: z.string(),
  /** What the entry itself is (a symlink is never followed to decide). */
  kind: z.enum(FILE_KINDS),
  /** Bytes (lstat: a symlink's own size). */
  size: z.number(),
  /** Last modification, ISO 8601. */
  modifiedAt: z.string(),
  /** The name starts with a dot (.env, .git): listed, marked so that the UI can dim it. */
  hidden: z.boolean(),
  /**
   * Symlinks only: whether the link resolves inside the allowed root, and what it points at then
   * (null when it points outside, or nowhere: outside targets are never described).
   */
  target: z.optional(
    z.object({ inside: z.boolean(), kind: z.nullable(z.enum(["file", "dir", "other"])) }),
  ),
});
export type FileEntry = z.infer<typeof fileEntrySchema>;

export const folderListingSchema = z.object({
  /** The folder listed: relative to the session's cwd ("" is the cwd), or absolute (admins). */
  path: z.string(),
  entries: z.array(fileEntrySchema),
  /** More than FILES_LIST_LIMIT entries: the rest is left out. */
  truncated: z.boolean(),
});
export type FolderListing = z.infer<typeof folderListingSchema>;
