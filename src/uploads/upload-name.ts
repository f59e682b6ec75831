// What an upload may be called and where inside a session's folder it may go, checked before any
// file is touched: pure rules, no I/O. The file system checks (symlinks) are in receive-upload.ts.

import { CONTROL_CHARACTERS } from "../fs/confined-path.ts";
import { DEFAULT_UPLOAD_DIR } from "../protocol/uploads.ts";

/** Longest file name accepted, in UTF-8 bytes: room left under NAME_MAX (255) for " (99)". */
export const MAX_NAME_BYTES = 240;
/** Longest `dir` accepted, in characters. */
export const MAX_DIR_LENGTH = 1024;

/** Why `name` cannot be an upload's file name, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (name === "") return "the file name is empty";
  if (name.includes("\0")) return "the file name contains a NUL character";
  if (CONTROL_CHARACTERS.test(name)) return "the file name contains a control character";
  if (name.includes("/") || name.includes("\\")) return "the file name contains a slash";
  // Dot files are where tools find configuration they act on (.envrc, .git, .npmrc).
  if (name.startsWith(".")) return "the file name starts with a dot";
  if (name.trim() !== name) return "the file name starts or ends with a space";
  if (new TextEncoder().encode(name).length > MAX_NAME_BYTES) {
    return `the file name is longer than ${MAX_NAME_BYTES} bytes`;
  }
  return undefined;
}

/**
 * The folder segments of `dir` (relative to the session's cwd, `/`-separated), or why it cannot
 * be used: no absolute path, no `.`/`..`, no hidden folder (.git/hooks, .claude, .vscode hold
 * what tools run) except the default upload folder itself.
 */
export function dirSegments(dir: string): { segments: string[] } | { problem: string } {
  if (dir.includes("\0")) return { problem: "the folder contains a NUL character" };
  if (CONTROL_CHARACTERS.test(dir)) return { problem: "the folder contains a control character" };
  if (dir.length > MAX_DIR_LENGTH) return { problem: "the folder is too long" };
  if (dir.startsWith("/")) return { problem: "the folder must be relative to the session's cwd" };
  const segments = dir.split("/").filter((segment) => segment !== "");
  if (segments.some((segment) => segment === "." || segment === "..")) {
    return { problem: "the folder must not contain . or .. segments" };
  }
  const inDefault = `${segments.join("/")}/`.startsWith(`${DEFAULT_UPLOAD_DIR}/`);
  if (!inDefault && segments.some((segment) => segment.startsWith("."))) {
    return { problem: `hidden folders are refused (except ${DEFAULT_UPLOAD_DIR})` };
  }
  return { segments };
}

/** The n-th alternative to a taken name: "shot.png" → "shot (1).png" (the last extension kept). */
export function numberedName(name: string, n: number): string {
  const dot = name.lastIndexOf(".");
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
  return `${stem} (${n})${ext}`;
}

/** `path` as one shell word: unchanged when it only holds safe characters, else single-quoted. */
export function shellQuote(path: string): string {
  if (/^[\w@%+=:,./-]+$/.test(path)) return path;
  return `'${path.replaceAll("'", `'\\''`)}'`;
}

/** `text` as a bracketed paste (no Enter): what a terminal sends when text is pasted into it. */
export function bracketedPaste(text: string): string {
  return `\x1b[200~${text}\x1b[201~`;
}
