// Free space where OpenDray writes (DATA_DIR): what tells a full disk from other failures when
// PGlite gives no reason, and what `doctor` warns about.

import { statfsSync } from "node:fs";
import bytes from "bytes";

/**
 * Below this much free space the disk counts as full: PGlite cannot start, and scrollback files
 * (up to 2 × SCROLLBACK_BYTES each while a session runs) stop being written.
 */
export const DISK_FULL_BYTES = 16 * 1024 * 1024;
/** `doctor` warns below this much free space in DATA_DIR. */
export const LOW_DISK_BYTES = 256 * 1024 * 1024;

/** Bytes this process may still write on the file system holding `dir`; undefined if unknown. */
export function freeBytes(dir: string): number | undefined {
  try {
    const stats = statfsSync(dir);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}

/** `1.5MB`-style size for messages. */
export function formatBytes(count: number): string {
  return bytes.format(count, { unitSeparator: " " }) ?? `${count} bytes`;
}
