// POST /sessions/:id/uploads: the header a cookie-authenticated upload carries (CSRF), the
// default folder, and the answer.

import * as z from "zod/mini";

/** Header (value "1") that a cookie-authenticated upload must send: no cross-site page can. */
export const UPLOAD_HEADER = "X-OpenDray-Upload";

/** Where uploads go when no `dir` is given, relative to the session's cwd. */
export const DEFAULT_UPLOAD_DIR = ".opendray/uploads";

/** 201 answer of an upload. */
export const uploadResultSchema = z.object({
  /** Absolute real path of the file written. */
  path: z.string(),
  /** Its name: the one asked for, or "name (1).ext" when that was taken. */
  name: z.string(),
  /** Bytes written. */
  size: z.int().check(z.minimum(0)),
  /** Whether the path was typed into the session (false once it no longer runs). */
  typed: z.boolean(),
});
export type UploadResult = z.infer<typeof uploadResultSchema>;
