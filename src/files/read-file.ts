// A regular file's bytes as a stream read from the opened file (never its path again), with the
// headers it is served with: text and images by extension, anything else a download.

import type { FileHandle } from "node:fs/promises";
import { extname } from "node:path";

/** Bytes read from the file at a time. */
const CHUNK_BYTES = 1024 * 1024;

const TEXT = "text/plain; charset=utf-8";

/** Shown in the browser; every other file is only ever downloaded. HTML is text, never a page. */
const INLINE_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".bmp": "image/bmp",
  ".ico": "image/x-icon",
  // Script in an SVG cannot run: served files carry a sandbox CSP (SERVED_FILE_CSP).
  ".svg": "image/svg+xml",
  ...Object.fromEntries(
    [
      ".txt",
      ".md",
      ".markdown",
      ".log",
      ".csv",
      ".tsv",
      ".json",
      ".jsonl",
      ".yaml",
      ".yml",
      ".toml",
      ".ini",
      ".cfg",
      ".conf",
      ".xml",
      ".html",
      ".htm",
      ".css",
      ".js",
      ".mjs",
      ".cjs",
      ".ts",
      ".tsx",
      ".jsx",
      ".py",
      ".rb",
      ".go",
      ".rs",
      ".c",
      ".h",
      ".cc",
      ".cpp",
      ".hpp",
      ".java",
      ".kt",
      ".swift",
      ".sh",
      ".bash",
      ".zsh",
      ".fish",
      ".sql",
      ".diff",
      ".patch",
      ".lock",
      ".env",
      ".gitignore",
      ".dockerfile",
      ".vue",
      ".svelte",
      ".php",
      ".lua",
      ".pl",
    ].map((ext) => [ext, TEXT]),
  ),
};

/**
 * The CSP of every served file (it replaces the app's): no script, no plugins, no requests, and
 * a sandbox, so that an HTML or SVG file opened in a tab cannot act in the app's origin.
 */
export const SERVED_FILE_CSP =
  "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'";

/** How `name` is served: its Content-Type, and whether the browser may show it (else attachment). */
export function servedType(name: string): { type: string; inline: boolean } {
  const type = INLINE_TYPES[extname(name).toLowerCase()] ?? INLINE_TYPES[name.toLowerCase()];
  return type ? { type, inline: true } : { type: "application/octet-stream", inline: false };
}

/** `Content-Disposition` naming `name`: an ASCII fallback and the exact name (RFC 6266/8187). */
export function disposition(kind: "attachment" | "inline", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * The first `limitBytes` of `file` (all of it by default) as a stream that closes the file when
 * done or cancelled.
 */
export function fileStream(file: FileHandle, limitBytes = Number.POSITIVE_INFINITY) {
  let at = 0;
  const done = () => file.close().catch(() => {});
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const want = Math.min(CHUNK_BYTES, limitBytes - at);
        const { bytesRead, buffer } =
          want > 0
            ? await file.read(new Uint8Array(want), 0, want, at)
            : { bytesRead: 0, buffer: null };
        if (bytesRead === 0 || !buffer) {
          controller.close();
          await done();
          return;
        }
        at += bytesRead;
        controller.enqueue(buffer.subarray(0, bytesRead));
      } catch (error) {
        controller.error(error);
        await done();
      }
    },
    cancel: done,
  });
}
