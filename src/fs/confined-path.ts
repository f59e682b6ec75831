// Paths confined to a root folder (a session's cwd): the root's real path, whether a real path
// stays inside it, and where an opened file really is. Shared by uploads (src/uploads/) and the
// file browser (src/files/): every check of "inside the session's folder" is made here.

import type { FileHandle } from "node:fs/promises";
import { readlink, realpath } from "node:fs/promises";
import { AppError } from "../errors.ts";

// C0 controls, DEL and C1 controls: a name holding them could rewrite the terminal it is shown in.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** The cwd's real path; 404 folder_not_found when it no longer exists (deleted under the session). */
export async function realRoot(cwd: string): Promise<string> {
  try {
    return await realpath(cwd);
  } catch {
    throw new AppError(404, "folder_not_found", `the session's folder ${cwd} no longer exists`);
  }
}

/** `path` (a real path) is `root` or below it. */
export function isInside(root: string, path: string): boolean {
  return root === "/" || path === root || path.startsWith(`${root}/`);
}

/**
 * Where the open file really is (/proc on Linux; its path's real path elsewhere): a folder
 * swapped for a symlink between a check and the open shows here.
 */
export async function openedPath(file: FileHandle, path: string): Promise<string> {
  return readlink(fdPath(file)).catch(() => realpath(path));
}

/** A path naming the open file itself (Linux): what it names cannot be swapped. */
export const fdPath = (file: FileHandle) => `/proc/self/fd/${file.fd}`;
