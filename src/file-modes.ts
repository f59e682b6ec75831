// Nothing under DATA_DIR (database, scrollback, secrets) may be open to group or others: the walk
// that finds what is (doctor), and the fix the embedded database gets at every start, since
// PGlite gives the files it writes mode 0666 whatever the umask.

import { chmodSync, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** A walk stops after this many entries, so that a start or `doctor` never crawls a huge tree. */
export const MAX_WALK_ENTRIES = 100_000;

export interface ExposedPath {
  path: string;
  /** Permission bits, e.g. 0o666. */
  mode: number;
}

export interface Exposure {
  /** Files and folders under the root (the root included) with a group or other permission. */
  exposed: ExposedPath[];
  /** False when the walk stopped at MAX_WALK_ENTRIES. */
  complete: boolean;
}

/**
 * Entries under `root` (itself included) that grant group or others any permission. Symbolic
 * links are neither reported (their mode means nothing) nor followed. A missing root: none.
 */
export function findExposed(root: string, limit = MAX_WALK_ENTRIES): Exposure {
  const exposed: ExposedPath[] = [];
  const pending = [root];
  let seen = 0;
  while (pending.length > 0) {
    if (seen >= limit) return { exposed, complete: false };
    const path = pending.pop() as string;
    seen += 1;
    let stats: ReturnType<typeof lstatSync>;
    try {
      stats = lstatSync(path);
    } catch {
      continue; // Gone meanwhile, or the root does not exist.
    }
    if (stats.isSymbolicLink()) continue;
    if (stats.mode & 0o077) exposed.push({ path, mode: stats.mode & 0o7777 });
    if (!stats.isDirectory()) continue;
    try {
      for (const name of readdirSync(path)) pending.push(join(path, name));
    } catch {
      // Unreadable folder: its own mode was checked; there is nothing more to see.
    }
  }
  return { exposed, complete: true };
}

/** Takes group and other permissions off everything under `root`; returns how many it changed. */
export function makePrivate(root: string): number {
  const { exposed } = findExposed(root);
  for (const { path, mode } of exposed) chmodSync(path, mode & ~0o077);
  return exposed.length;
}
