// Each changed file's diff text, within an answer's limits: tracked files from one `git diff`
// per batch (cut apart at their `diff --git` lines), untracked ones from `git diff --no-index`
// against /dev/null, a few at once.

import { lstat } from "node:fs/promises";
import { join } from "node:path";
import {
  CHANGES_FILE_BYTES,
  CHANGES_FILE_LINES,
  CHANGES_UNTRACKED_DIFFS,
  type ChangedFile,
} from "../protocol/changes.ts";
import { splitPatch } from "./parse.ts";
import type { Git } from "./run-git.ts";

/** Files whose diffs one `git diff` command asks for (its argv stays small). */
const PATCH_BATCH = 200;
/** Untracked files diffed at once (one `git diff --no-index` each). */
const UNTRACKED_PARALLEL = 4;

/** Options of every diff: no program of the repository's, plain text, fixed prefixes. */
export const DIFF_OPTIONS = [
  "--no-ext-diff",
  "--no-textconv",
  "--ignore-submodules=dirty",
  "--no-color",
  "--src-prefix=a/",
  "--dst-prefix=b/",
];

/** Bytes of diff text an answer may still take. */
export interface Budget {
  left: number;
}

/** Gives each of `files` (tracked, text, not too large) its diff text, within the budget. */
export async function attachPatches(
  git: Git,
  against: string,
  files: ChangedFile[],
  budget: Budget,
) {
  for (let at = 0; at < files.length; at += PATCH_BATCH) {
    const batch = files.slice(at, at + PATCH_BATCH);
    if (budget.left <= 0) {
      for (const file of batch) file.summarised = "budget";
      continue;
    }
    const specs = batch.flatMap((file) =>
      [file.path, ...(file.oldPath ? [file.oldPath] : [])].map((path) => `:(literal)${path}`),
    );
    const result = await git(
      ["diff", "-M", "--relative", ...DIFF_OPTIONS, against, "--", ...specs],
      {
        maxBytes: budget.left + CHANGES_FILE_BYTES,
      },
    );
    const parts = splitPatch(result.text);
    // Complete parts only: the last one was cut when git was stopped at the cap.
    const complete = result.overflow ? parts.length - 1 : parts.length;
    const matched = result.overflow || parts.length === batch.length;
    batch.forEach((file, i) => {
      const part = parts[i];
      if (!matched || part === undefined || i >= complete) {
        file.summarised = matched ? "budget" : "too_large";
        return;
      }
      give(file, part, budget);
    });
  }
}

function give(file: ChangedFile, diff: string, budget: Budget) {
  const bytes = Buffer.byteLength(diff);
  if (bytes > CHANGES_FILE_BYTES) file.summarised = "too_large";
  else if (bytes > budget.left) file.summarised = "budget";
  else {
    file.diff = diff;
    budget.left -= bytes;
  }
}

/** Diffs each untracked file against /dev/null (git diff --no-index), within the budget. */
export async function attachUntracked(
  git: Git,
  root: string,
  files: ChangedFile[],
  budget: Budget,
) {
  const untracked = files
    .filter((file) => file.kind === "untracked")
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const diffed = untracked.slice(0, CHANGES_UNTRACKED_DIFFS);
  for (const file of untracked.slice(CHANGES_UNTRACKED_DIFFS)) file.summarised = "budget";
  // A few git processes at once; the answers are then taken in path order, so the budget is
  // spent the same way every time.
  const outputs: (string | null)[] = new Array(diffed.length).fill(null);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < diffed.length; i = next++) {
      const file = diffed[i] as ChangedFile;
      const stats = await lstat(join(root, file.path)).catch(() => null);
      if (!stats || !(stats.isFile() || stats.isSymbolicLink())) continue;
      if (stats.size > CHANGES_FILE_BYTES) {
        file.summarised = "too_large";
        continue;
      }
      const result = await git(
        ["diff", "--no-index", ...DIFF_OPTIONS, "--", "/dev/null", file.path],
        { maxBytes: CHANGES_FILE_BYTES * 2, okCodes: [0, 1] },
      );
      outputs[i] = result.overflow ? "" : result.text;
      if (result.overflow) file.summarised = "too_large";
    }
  };
  await Promise.all(Array.from({ length: UNTRACKED_PARALLEL }, worker));
  diffed.forEach((file, i) => {
    const text = outputs[i];
    if (!text) return;
    const hunks = text.indexOf("\n@@");
    if (hunks < 0) {
      // No hunk: a binary file ("Binary files … differ"), or an empty one.
      file.binary = /\nBinary files /.test(text);
      file.additions = file.binary ? null : 0;
      file.deletions = file.binary ? null : 0;
      file.summarised = file.binary ? "binary" : null;
      return;
    }
    const additions = text
      .slice(hunks)
      .split("\n")
      .filter((line) => line.startsWith("+")).length;
    file.additions = additions;
    file.deletions = 0;
    if (additions > CHANGES_FILE_LINES) file.summarised = "too_large";
    else if (budget.left <= 0) file.summarised = "budget";
    else give(file, text, budget);
  });
}
