// Where a file browser's `path` leads: resolved here, on the server, against the session's folder
// (its real path), and opened so that what is read is what was checked: no `..`, absolute paths
// for admins only, symlinks resolved and kept inside, the opened file's real path checked again.

import { constants } from "node:fs";
import { type FileHandle, lstat, open, realpath } from "node:fs/promises";
import { join } from "node:path";
import { AppError, badRequest, notFound } from "../errors.ts";
import { CONTROL_CHARACTERS, isInside, openedPath, realRoot } from "../fs/confined-path.ts";

/** Longest `path` accepted, in characters. */
export const MAX_PATH_LENGTH = 4096;

export interface FilesScope {
  /** The session's working directory: the root a non-admin never leaves. */
  cwd: string;
  /** Admins may also name absolute paths (the whole machine: the server runs their shells anyway). */
  admin: boolean;
}

export interface ResolvedPath {
  /** The real path nothing may leave: the cwd's, or "/" for an admin's absolute path. */
  root: string;
  /** The target's real path (symlinks resolved), inside `root`. */
  real: string;
  /** The path as the answer shows it: relative to the cwd ("" for the cwd), or absolute. */
  shown: string;
}

const forbidden = (message: string) => new AppError(403, "path_forbidden", message);
const outside = () => forbidden("the path resolves outside the session's folder");

/** Resolves `path` (relative to the cwd, or absolute for admins) to a real path inside the root. */
export async function resolvePath(scope: FilesScope, path: string): Promise<ResolvedPath> {
  if (path.includes("\0")) throw badRequest("path_invalid", "the path contains a NUL character");
  if (CONTROL_CHARACTERS.test(path)) {
    throw badRequest("path_invalid", "the path contains a control character");
  }
  if (path.length > MAX_PATH_LENGTH) throw badRequest("path_invalid", "the path is too long");
  const absolute = path.startsWith("/");
  if (absolute && !scope.admin) {
    throw forbidden("only admins can browse outside the session's folder (the path is absolute)");
  }
  const segments = path.split("/").filter((segment) => segment !== "" && segment !== ".");
  if (segments.includes("..")) throw badRequest("path_invalid", "the path must not contain ..");
  const root = absolute ? "/" : await realRoot(scope.cwd);
  const real = await realpath(join(root, ...segments)).catch((error: unknown) => {
    const code = (error as { code?: string }).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw notFound(`${path || "."}`);
    if (code === "EACCES") throw forbidden(`${path} cannot be read`);
    throw error;
  });
  if (!isInside(root, real)) throw outside();
  return { root, real, shown: absolute ? real : segments.join("/") };
}

/**
 * Opens the resolved target read-only, as a folder (`dir`) or a regular file (`file`), refusing
 * a symlink swapped in since the check (O_NOFOLLOW) and a parent folder swapped for one (the open
 * file's real path must still be inside). O_NONBLOCK: opening a FIFO must not hang the server.
 */
export async function openResolved(
  target: ResolvedPath,
  kind: "dir" | "file",
): Promise<FileHandle> {
  const flags =
    constants.O_RDONLY |
    constants.O_NOFOLLOW |
    constants.O_NONBLOCK |
    (kind === "dir" ? constants.O_DIRECTORY : 0);
  const file = await open(target.real, flags).catch(async (error: unknown) => {
    const code = (error as { code?: string }).code;
    if (code === "ELOOP") throw outside();
    // O_DIRECTORY with O_NOFOLLOW meets a symlink swapped in as ENOTDIR, not ELOOP.
    if (code === "ENOTDIR" && (await lstat(target.real).catch(() => undefined))?.isSymbolicLink()) {
      throw outside();
    }
    if (code === "ENOTDIR") throw badRequest("not_a_folder", `${target.shown} is not a folder`);
    if (code === "ENOENT") throw notFound(target.shown || ".");
    if (code === "EACCES") throw forbidden(`${target.shown} cannot be read`);
    throw error;
  });
  try {
    if (!isInside(target.root, await openedPath(file, target.real))) throw outside();
    const stats = await file.stat();
    if (kind === "file" && !stats.isFile()) {
      throw badRequest("not_a_file", `${target.shown || "."} is not a regular file`);
    }
    return file;
  } catch (error) {
    await file.close();
    throw error;
  }
}
