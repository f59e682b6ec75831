// One folder's listing, read through the opened folder itself (/proc/self/fd/N), never through
// its path again: entries are lstat'ed (a symlink is described, not followed), and a symlink
// says only whether it stays inside the root, and what it points at when it does.

import type { Dirent } from "node:fs";
import { lstat, readdir, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { fdPath, isInside } from "../fs/confined-path.ts";
import { FILES_LIST_LIMIT, type FileEntry, type FolderListing } from "../protocol/files.ts";
import { openResolved, type ResolvedPath } from "./resolve-path.ts";

type Kind = FileEntry["kind"];

const kindOf = (entry: {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}): Kind =>
  entry.isSymbolicLink()
    ? "symlink"
    : entry.isDirectory()
      ? "dir"
      : entry.isFile()
        ? "file"
        : "other";

/** Folders first, then by name (code points: the same order everywhere). */
function byFolderThenName(a: Dirent, b: Dirent): number {
  const folder = Number(b.isDirectory()) - Number(a.isDirectory());
  if (folder !== 0) return folder;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Lists the folder `target`: at most `limit` entries (default FILES_LIST_LIMIT). */
export async function listFolder(
  target: ResolvedPath,
  limit = FILES_LIST_LIMIT,
): Promise<FolderListing> {
  const folder = await openResolved(target, "dir");
  try {
    const here = fdPath(folder);
    const all = (await readdir(here, { withFileTypes: true })).sort(byFolderThenName);
    const entries: FileEntry[] = [];
    for (const dirent of all.slice(0, limit)) {
      const entry = await describe(here, dirent.name, target.root);
      if (entry) entries.push(entry);
    }
    return { path: target.shown, entries, truncated: all.length > limit };
  } finally {
    await folder.close();
  }
}

/** One entry, or undefined when it vanished since the folder was read. */
async function describe(
  folder: string,
  name: string,
  root: string,
): Promise<FileEntry | undefined> {
  const path = join(folder, name);
  const stats = await lstat(path).catch(() => undefined);
  if (!stats) return undefined;
  const entry: FileEntry = {
    name,
    kind: kindOf(stats),
    size: stats.size,
    modifiedAt: stats.mtime.toISOString(),
    hidden: name.startsWith("."),
  };
  if (entry.kind === "symlink") entry.target = await symlinkTarget(path, root);
  return entry;
}

async function symlinkTarget(path: string, root: string): Promise<FileEntry["target"]> {
  const real = await realpath(path).catch(() => undefined);
  if (real === undefined || !isInside(root, real)) return { inside: false, kind: null };
  const stats = await stat(real).catch(() => undefined);
  if (!stats) return { inside: false, kind: null };
  const kind = kindOf(stats);
  return { inside: true, kind: kind === "symlink" ? "other" : kind };
}
