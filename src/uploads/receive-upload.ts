// Streams one uploaded file into a folder inside a session's cwd: never buffered whole, written to
// a private temporary file beside its final place, then linked under its name (a taken name gets
// "name (1).ext") or renamed over it when asked. Every path is resolved here, on the server, and
// must stay inside the cwd's real path after symlinks, also when a folder is swapped meanwhile.

import { randomUUID } from "node:crypto";
import { constants } from "node:fs";
import { type FileHandle, link, mkdir, open, realpath, rename, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { AppError, badRequest, conflict } from "../errors.ts";
import { isInside, openedPath, realRoot } from "../fs/confined-path.ts";
import { DEFAULT_UPLOAD_DIR } from "../protocol/uploads.ts";
import { dirSegments, nameProblem, numberedName } from "./upload-name.ts";

/** How many numbered alternatives ("name (1).png" …) are tried before giving up with 409. */
export const MAX_NAME_TRIES = 100;
/** Uploaded files are the user's alone and never executable. */
export const UPLOAD_FILE_MODE = 0o600;

export interface UploadRequest {
  /** The session's working directory: the root nothing may leave. */
  cwd: string;
  name: string;
  /** Folder relative to `cwd`; default DEFAULT_UPLOAD_DIR. Missing folders are created (0700). */
  dir?: string | undefined;
  /** Replace a file of the same name instead of choosing a numbered one. */
  overwrite: boolean;
  body: ReadableStream<Uint8Array> | null;
  /** UPLOAD_LIMIT: more bytes than this is 413 and nothing is kept. */
  limitBytes: number;
}

export interface UploadedFile {
  /** Absolute real path of the file written. */
  path: string;
  /** Its name: the one asked for, or the numbered one chosen because that was taken. */
  name: string;
  size: number;
}

export const uploadTooLarge = (limitBytes: number) =>
  new AppError(
    413,
    "upload_too_large",
    `the file is larger than UPLOAD_LIMIT (${limitBytes} bytes)`,
  );

const outside = () =>
  new AppError(
    403,
    "upload_path_forbidden",
    "the upload's folder resolves outside the session's folder",
  );

export async function receiveUpload(request: UploadRequest): Promise<UploadedFile> {
  const problem = nameProblem(request.name);
  if (problem) throw badRequest("upload_name_invalid", problem);
  const dir = dirSegments(request.dir ?? DEFAULT_UPLOAD_DIR);
  if ("problem" in dir) throw badRequest("upload_dir_invalid", dir.problem);

  const root = await realRoot(request.cwd);
  const folder = await enterFolders(root, dir.segments);
  const temporary = join(folder, `.opendray-upload-${randomUUID()}.part`);
  // O_EXCL and O_NOFOLLOW: never an existing file, never through a symlink planted at this name.
  const file = await open(
    temporary,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    UPLOAD_FILE_MODE,
  ).catch((error: unknown) => {
    throw diskError(error) ?? error;
  });
  // Where the file really is: the open file's path follows a folder moved meanwhile.
  let where = temporary;
  let size: number;
  try {
    // The folder may have been swapped for a symlink since it was checked: ask where the open file is.
    where = await openedPath(file, temporary);
    if (!isInside(root, where)) throw outside();
    size = await copyBody(request.body, file, request.limitBytes);
    where = await openedPath(file, temporary);
    if (!isInside(root, where)) throw outside();
    await file.close();
  } catch (error) {
    await file.close().catch(() => {});
    await unlink(where).catch(() => {});
    throw diskError(error) ?? error;
  }
  try {
    const name = await place(where, dirname(where), request.name, request.overwrite);
    return { path: join(dirname(where), name), name, size };
  } finally {
    await unlink(where).catch(() => {});
  }
}

/**
 * Walks (and creates, 0700) `segments` below `root` one folder at a time, so that nothing is
 * ever created beyond a folder already proven inside `root`; returns the last one's real path.
 */
async function enterFolders(root: string, segments: readonly string[]): Promise<string> {
  let folder = root;
  for (const segment of segments) {
    const next = join(folder, segment);
    await mkdir(next, { mode: 0o700 }).catch((error: unknown) => {
      if ((error as { code?: string }).code === "EEXIST") return;
      throw diskError(error) ?? error;
    });
    folder = await realpath(next);
    if (!isInside(root, folder)) throw outside();
  }
  return folder;
}

/**
 * Bytes gathered before each write: a request body arrives in chunks of a few KiB to 64 KiB, and a
 * write (a thread-pool round trip) per chunk costs more than the copy into this buffer.
 */
export const WRITE_BATCH_BYTES = 1024 * 1024;

/**
 * Writes the body as it arrives, counting, in writes of up to WRITE_BATCH_BYTES (memory stays at
 * one batch); past `limitBytes` it stops reading (413) before writing the chunk that crossed it.
 */
async function copyBody(
  body: ReadableStream<Uint8Array> | null,
  file: FileHandle,
  limitBytes: number,
): Promise<number> {
  if (!body) return 0;
  const reader = body.getReader();
  const batch = new Uint8Array(WRITE_BATCH_BYTES);
  let held = 0;
  let size = 0;
  const writeOut = async (bytes: Uint8Array) => {
    for (let at = 0; at < bytes.length; ) {
      at += (await file.write(bytes, at, bytes.length - at)).bytesWritten;
    }
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        await writeOut(batch.subarray(0, held));
        return size;
      }
      size += value.length;
      if (size > limitBytes) throw uploadTooLarge(limitBytes);
      if (held + value.length > batch.length) {
        await writeOut(batch.subarray(0, held));
        held = 0;
      }
      // A chunk as large as the batch goes straight to the file.
      if (value.length >= batch.length) await writeOut(value);
      else {
        batch.set(value, held);
        held += value.length;
      }
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  }
}

/**
 * Gives the finished temporary file its name. A hard link never replaces what exists (EEXIST,
 * a symlink at the name included), so a taken name moves on to "name (1).ext"; overwriting is a
 * rename, which replaces a symlink itself rather than writing where it points.
 */
async function place(temporary: string, folder: string, name: string, overwrite: boolean) {
  if (overwrite) {
    await rename(temporary, join(folder, name)).catch((error: unknown) => {
      const code = (error as { code?: string }).code;
      if (code === "EISDIR" || code === "ENOTEMPTY" || code === "EEXIST") {
        throw conflict("upload_name_taken", `${name} is a folder`);
      }
      throw error;
    });
    return name;
  }
  for (let n = 0; n < MAX_NAME_TRIES; n++) {
    const candidate = n === 0 ? name : numberedName(name, n);
    try {
      await link(temporary, join(folder, candidate));
      return candidate;
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw diskError(error) ?? error;
    }
  }
  throw conflict("upload_name_taken", `${name} and ${MAX_NAME_TRIES - 1} numbered names are taken`);
}

/** A full disk (or quota) as a clear 507; undefined for any other failure. */
function diskError(error: unknown): AppError | undefined {
  const code = (error as { code?: string } | null)?.code;
  if (code !== "ENOSPC" && code !== "EDQUOT") return undefined;
  return new AppError(507, "disk_full", "the disk is full; the partial file was removed");
}
