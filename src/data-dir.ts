// The data directory: created private (0700) and held with an exclusive lock for the life of
// the server, because two processes on one embedded database would corrupt it.

import { dlopen, FFIType } from "bun:ffi";
import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";

const LOCK_FILE = "opendray.lock";
const LOCK_EX = 2;
const LOCK_NB = 4;

export interface DataDirLock {
  release(): void;
}

/** flock(2) from the C library; undefined where it cannot be loaded (then no lock is taken). */
function loadFlock(): ((fd: number, operation: number) => number) | undefined {
  for (const name of ["libc.so.6", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1"]) {
    try {
      const { symbols } = dlopen(name, {
        flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
      });
      return (fd, operation) => symbols.flock(fd, operation);
    } catch {
      // Try the next name.
    }
  }
  return undefined;
}

/**
 * Create `dir` (mode 0700) and lock it. Throws when another process holds the lock, or when
 * `dir` belongs to another user; the lock goes away with the process even if it crashes.
 */
export function acquireDataDir(dir: string): DataDirLock {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Files written by another user (root, run by mistake) would lock the owner out of its own
  // database and scrollback: refuse instead.
  const uid = process.getuid?.();
  const owner = statSync(dir).uid;
  if (uid !== undefined && owner !== uid) {
    throw new Error(
      `DATA_DIR ${dir} belongs to uid ${owner}, not to this user (uid ${uid}); run OpenDray as ` +
        "that user (e.g. runuser -u opendray -- …)",
    );
  }
  chmodSync(dir, 0o700);
  const path = join(dir, LOCK_FILE);
  const lock = lockFile(path);
  if (!lock) {
    const holder = readFileSync(path, "utf8").trim();
    throw new Error(
      `DATA_DIR ${dir} is in use by another OpenDray process${holder ? ` (pid ${holder})` : ""}`,
    );
  }
  return lock;
}

/**
 * An exclusive lock on `path` (created 0600), holding this process's pid; undefined when another
 * process holds it. Without flock (no C library found), always granted.
 */
export function lockFile(path: string): DataDirLock | undefined {
  const flock = loadFlock();
  if (!flock) return { release() {} };
  const fd = openSync(path, "a+", 0o600);
  if (flock(fd, LOCK_EX | LOCK_NB) !== 0) {
    closeSync(fd);
    return undefined;
  }
  try {
    writeFileSync(path, `${process.pid}\n`);
  } catch {
    // The pid only names the holder in messages; a full disk must not keep the server or the
    // PTY host from starting (the lock is the flock, and it is held).
  }
  return {
    release() {
      closeSync(fd);
    },
  };
}
