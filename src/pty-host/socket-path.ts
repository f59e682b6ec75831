// Where the PTY host listens, and the checks that make its socket private: a unix socket in
// DATA_DIR (0700), itself 0600, both owned by the user running OpenDray. Bun does not expose a
// connected peer's credentials (SO_PEERCRED), so the host relies on these permissions: only the
// owner (and root) can reach the socket; the server refuses a socket anybody else could control.

import { lstatSync, type Stats, statSync } from "node:fs";
import { join } from "node:path";

/** The socket's name inside DATA_DIR. */
export const SOCKET_NAME = "pty-host.sock";
/** Where the host writes its log (stderr) when started detached. */
export const HOST_LOG_NAME = "pty-host.log";
/** flock()ed by the one host of a DATA_DIR. */
export const HOST_LOCK_NAME = "pty-host.lock";

/** sun_path holds 108 bytes including the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;

export function socketPath(dataDir: string): string {
  const path = join(dataDir, SOCKET_NAME);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new Error(
      `the PTY host socket path ${path} is longer than ${MAX_SOCKET_PATH_BYTES} bytes; use a shorter DATA_DIR or PTY_HOST=inprocess`,
    );
  }
  return path;
}

/**
 * Throws unless `path` is a socket owned by this user with no group/other permissions, in a
 * directory owned by this user with no group/other permissions. ENOENT passes through as is.
 */
export function checkSocketOwnership(path: string, dataDir: string): void {
  const uid = process.getuid?.();
  const dir = statSync(dataDir);
  const socket = lstatSync(path);
  requirePrivate(dataDir, dir, uid);
  if (!socket.isSocket()) throw new Error(`refusing the PTY host socket: ${path} is not a socket`);
  requirePrivate(path, socket, uid);
}

/** Throws unless `stats` (of `path`) belong to `uid` and grant nothing to group or others. */
function requirePrivate(path: string, stats: Stats, uid: number | undefined): void {
  if (uid !== undefined && stats.uid !== uid) {
    throw new Error(
      `refusing the PTY host socket: ${path} belongs to uid ${stats.uid}, not ${uid}`,
    );
  }
  if ((stats.mode & 0o077) !== 0) {
    throw new Error(
      `refusing the PTY host socket: ${path} is accessible to others (mode ${octal(stats.mode)})`,
    );
  }
}

function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, "0");
}
