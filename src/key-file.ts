// Private key files in DATA_DIR (secrets.key, jwt.key): random bytes made once, on first use,
// with mode 0600, and never overwritten. A file that is the wrong size, or readable by group or
// others, is an error rather than a key.

import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  linkSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";

/** What `loadKeyFile` reads or creates. */
export type KeyFile = {
  /** Absolute path; its folder must exist (DATA_DIR, already created private). */
  path: string;
  /** Exact size of the key, in bytes. */
  bytes: number;
  /** What to do about a file of the wrong size (what losing the key costs). */
  wrongSizeHint: string;
};

/**
 * The key in `path`, read when the file exists, else `bytes` random bytes written there (mode
 * 0600). Throws for a file of another size, one readable by group or others, or not a file.
 */
export function loadKeyFile(file: KeyFile): Uint8Array {
  return readKeyFile(file) ?? createKeyFile(file);
}

/** The key in the file at `path`, or undefined when there is no such file. */
function readKeyFile({ path, bytes, wrongSizeHint }: KeyFile): Uint8Array | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  try {
    // Checked on the open descriptor, so the file judged is the file read.
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${path} is not a regular file`);
    const mode = stat.mode & 0o777;
    if (mode & 0o077) {
      throw new Error(
        `${path} is readable by group or others (mode ${mode.toString(8).padStart(4, "0")}); ` +
          `run chmod 600 ${path}`,
      );
    }
    if (stat.size !== bytes) {
      throw new Error(
        `${path} must hold exactly ${bytes} raw bytes, has ${stat.size}; ${wrongSizeHint}`,
      );
    }
    const key = new Uint8Array(bytes);
    const read = readSync(fd, key, 0, bytes, 0);
    if (read !== bytes) throw new Error(`${path}: short read (${read} bytes)`);
    return key;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a new random key to a private temporary file, then links it into place: unlike rename,
 * link fails when `path` exists, so a key another process created meanwhile is kept and used.
 */
function createKeyFile(file: KeyFile): Uint8Array {
  const { path, bytes } = file;
  const key = new Uint8Array(randomBytes(bytes));
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const fd = openSync(tmp, "wx", 0o600);
  try {
    try {
      fchmodSync(fd, 0o600);
      writeSync(fd, key);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const existing = readKeyFile(file);
      if (existing) return existing;
      throw err;
    }
    syncDirectory(dirname(path));
    return key;
  } finally {
    unlinkSync(tmp);
  }
}

/** Makes the new directory entry durable: losing a key after a crash loses what it protects. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some filesystems cannot fsync a directory; the key file itself is already synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
