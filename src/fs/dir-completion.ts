// Completion of working directories for the new-session dialog: the existing directories whose
// path starts with a given absolute prefix. Reads one directory listing, never recurses.

import { readdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";

/** Most directories one completion returns. */
export const MAX_DIR_COMPLETIONS = 50;

export interface DirCompletion {
  /** Absolute paths of existing directories, sorted, at most MAX_DIR_COMPLETIONS. */
  dirs: string[];
  /** More directories matched than were returned. */
  truncated: boolean;
}

/**
 * Directories completing `prefix` (absolute, normalised): "/ho" → ["/home"], "/home/" → its
 * subdirectories. Hidden directories only when the typed part starts with ".". An unreadable
 * or missing parent completes to nothing.
 */
export async function completeDirs(prefix: string): Promise<DirCompletion> {
  const parent = prefix.endsWith("/") ? prefix : dirname(prefix);
  const partial = prefix.endsWith("/") ? "" : prefix.slice(parent.length).replace(/^\//, "");
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(parent, { withFileTypes: true });
  } catch {
    return { dirs: [], truncated: false };
  }
  const names = entries
    .filter((entry) => entry.name.startsWith(partial))
    .filter((entry) => partial.startsWith(".") || !entry.name.startsWith("."))
    .sort((a, b) => a.name.localeCompare(b.name));
  const dirs: string[] = [];
  let truncated = false;
  for (const entry of names) {
    const path = join(parent, entry.name);
    if (!entry.isDirectory() && !(entry.isSymbolicLink() && (await isDirectory(path)))) continue;
    if (dirs.length === MAX_DIR_COMPLETIONS) {
      truncated = true;
      break;
    }
    dirs.push(path);
  }
  return { dirs, truncated };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
