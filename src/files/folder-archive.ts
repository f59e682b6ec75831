// A folder as a .tar.gz, streamed by GNU tar (on every Linux; it streams, and never follows a
// symlink unless told to: links are stored as links) started inside the opened folder itself
// (/proc/<pid>/fd/N), so a folder swapped after the check is not the one archived. Sized first,
// without following anything: past ARCHIVE_LIMIT it is 413 before a byte is sent.

import type { FileHandle } from "node:fs/promises";
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "../errors.ts";
import { openResolved, type ResolvedPath } from "./resolve-path.ts";

/** Most entries (files, folders, links) one archive may hold. */
export const ARCHIVE_MAX_ENTRIES = 100_000;
/** tar's own bytes per entry (header and padding), counted towards the streaming cap. */
const TAR_BYTES_PER_ENTRY = 1024;

export const archiveTooLarge = (limitBytes: number) =>
  new AppError(
    413,
    "archive_too_large",
    `the folder holds more than ARCHIVE_LIMIT (${limitBytes} bytes) or ${ARCHIVE_MAX_ENTRIES} entries`,
  );

export interface FolderArchive {
  /** Bytes of the regular files archived (as sized before streaming). */
  size: number;
  entries: number;
  stream: ReadableStream<Uint8Array>;
}

/** Starts archiving `target` (a folder); at most `limitBytes` of file contents. */
export async function archiveFolder(
  target: ResolvedPath,
  limitBytes: number,
): Promise<FolderArchive> {
  const folder = await openResolved(target, "dir");
  try {
    const here = `/proc/${process.pid}/fd/${folder.fd}`;
    const { size, entries } = await sizeOf(here, limitBytes);
    // Members go under one folder named like the archived one (no "tarbomb" when extracted);
    // the S flag leaves symlinks' targets as they are.
    const top = `--transform=s,^\\.,${archiveTop(target.real)},S`;
    const tar = spawnTar([
      "tar",
      "--create",
      "--gzip",
      "--file=-",
      `--directory=${here}`,
      top,
      "--",
      ".",
    ]);
    // Files may grow while tar reads them: the stream stops past what was sized, and some slack.
    const capBytes = limitBytes + (entries + 2) * TAR_BYTES_PER_ENTRY;
    return { size, entries, stream: capped(tar, folder, capBytes) };
  } catch (error) {
    await folder.close();
    throw error;
  }
}

/** GNU tar with `args`, its output piped; 503 archive_unavailable when no tar is installed. */
function spawnTar(args: string[]) {
  try {
    return Bun.spawn(args, { stdin: "ignore", stdout: "pipe", stderr: "ignore" });
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOENT") throw error;
    throw new AppError(503, "archive_unavailable", "tar is not installed on the server");
  }
}

/**
 * The folder the archive's members go under: the archived folder's name with anything but
 * letters, digits, `.`, `_` and `-` replaced (it goes into tar's sed-like --transform).
 */
export function archiveTop(real: string): string {
  const name = (real.split("/").pop() ?? "").replace(/[^\w.-]/g, "_").replace(/^\.+/, "");
  return name || "files";
}

/** Bytes of regular files and the count of entries below `path`, symlinks not followed. */
async function sizeOf(path: string, limitBytes: number) {
  let size = 0;
  let entries = 0;
  const pending = [path];
  for (let folder = pending.pop(); folder !== undefined; folder = pending.pop()) {
    const names = await readdir(folder).catch(() => [] as string[]);
    for (const name of names) {
      const stats = await lstat(join(folder, name)).catch(() => undefined);
      if (!stats) continue;
      entries++;
      if (stats.isFile()) size += stats.size;
      if (stats.isDirectory()) pending.push(join(folder, name));
      if (size > limitBytes || entries > ARCHIVE_MAX_ENTRIES) throw archiveTooLarge(limitBytes);
    }
  }
  return { size, entries };
}

/** tar's output, cut with an error past `capBytes`; the folder stays open until tar is done. */
function capped(
  tar: Bun.Subprocess<"ignore", "pipe", "ignore">,
  folder: FileHandle,
  capBytes: number,
): ReadableStream<Uint8Array> {
  const reader = tar.stdout.getReader();
  let sent = 0;
  const finish = async () => {
    tar.kill();
    await tar.exited;
    await folder.close().catch(() => {});
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        const code = await tar.exited;
        await folder.close().catch(() => {});
        // tar exits 1 when a file changed while it was read: the archive is still whole.
        if (code === 0 || code === 1) controller.close();
        else controller.error(new Error(`tar exited with ${code}`));
        return;
      }
      sent += value.length;
      if (sent > capBytes) {
        await finish();
        controller.error(new Error("the archive grew past ARCHIVE_LIMIT while it was read"));
        return;
      }
      controller.enqueue(value);
    },
    async cancel() {
      await reader.cancel().catch(() => {});
      await finish();
    },
  });
}
