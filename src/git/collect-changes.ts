// What changed in a session's folder, by git itself: the repository's state (branch, detached
// HEAD, no commits yet, an unfinished merge or rebase), then every changed file under the folder
// (the working tree against HEAD, or against a given base commit), with its unified diff unless
// it is binary or too large. Untracked files come as added (diffed against /dev/null).

import { existsSync } from "node:fs";
import { lstat } from "node:fs/promises";
import { join } from "node:path";
import { badRequest } from "../errors.ts";
import { realRoot } from "../fs/confined-path.ts";
import {
  CHANGES_FILE_BYTES,
  CHANGES_FILE_LIMIT,
  CHANGES_FILE_LINES,
  CHANGES_TOTAL_BYTES,
  CHANGES_UNTRACKED_DIFFS,
  type ChangedFile,
  type Changes,
  type RepoOperation,
} from "../protocol/changes.ts";
import { type DiffEntry, parseRawNumstat, parseStatus, splitPatch } from "./parse.ts";
import { createGit, GIT_TIMEOUT_MS, type Git, GitFailed, gitFailedError } from "./run-git.ts";

/** Most bytes a listing (status, raw and numstat) may take. */
const LISTING_BYTES = 32 * 1024 * 1024;
/** Files whose diffs one `git diff` command asks for (its argv stays small). */
const PATCH_BATCH = 200;
/** Untracked files diffed at once (one `git diff --no-index` each). */
const UNTRACKED_PARALLEL = 4;

export interface CollectOptions {
  /** The session's folder. */
  cwd: string;
  /** The server's inheritable environment: git is looked up on its PATH. */
  env: Record<string, string>;
  /** A commit to compare the working tree with instead of HEAD. */
  base?: string | undefined;
  /** Default GIT_TIMEOUT_MS. */
  timeoutMs?: number;
}

const DIFF_OPTIONS = [
  "--no-ext-diff",
  "--no-textconv",
  "--ignore-submodules=dirty",
  "--no-color",
  "--src-prefix=a/",
  "--dst-prefix=b/",
];

/** The changes in `cwd`'s repository under `cwd`; 404 folder_not_found when it is gone. */
export async function collectChanges(options: CollectOptions): Promise<Changes> {
  const root = await realRoot(options.cwd);
  const deadline = performance.now() + (options.timeoutMs ?? GIT_TIMEOUT_MS);
  const plain = createGit({ cwd: root, env: options.env, deadline });
  try {
    // Every filter driver the configuration names is switched off: a clean filter is a program.
    const config = await filterOverrides(plain);
    const git: Git = (args, run) => plain(args, { ...run, config });
    const where = await locate(git);
    if (!where) return { repo: { kind: "not_a_repository" }, files: [], truncated: false };
    const status = parseStatus(
      (
        await git(
          [
            "status",
            "--porcelain=v2",
            "--branch",
            "-z",
            "--untracked-files=all",
            "--ignore-submodules=dirty",
            "--",
            ".",
          ],
          { maxBytes: LISTING_BYTES },
        )
      ).text,
    );
    const base = options.base ? await verifyCommit(git, options.base) : status.head;
    const against = base ?? (await emptyTree(git));
    const listed = parseRawNumstat(
      (
        await git(
          ["diff", "--raw", "--numstat", "-z", "-M", "--relative", ...DIFF_OPTIONS, against],
          {
            maxBytes: LISTING_BYTES,
          },
        )
      ).text,
    );
    const relative = (path: string) => path.slice(where.prefix.length);
    const byPath = new Map(status.entries.map((entry) => [relative(entry.path), entry]));
    const diffed = listed.map((entry) => fileOf(entry, byPath.get(entry.path)));
    const files: ChangedFile[] = [...diffed];
    const seen = new Set(listed.map((entry) => entry.path));
    for (const [path, entry] of byPath) {
      if (seen.has(path)) continue;
      const untracked = entry.kind === "untracked";
      files.push({
        path,
        oldPath: null,
        kind: untracked ? "untracked" : entry.kind === "conflicted" ? "conflicted" : "modified",
        staged: entry.index !== "." && !untracked,
        unstaged: entry.worktree !== ".",
        additions: untracked ? null : 0,
        deletions: untracked ? null : 0,
        binary: false,
        summarised: null,
        diff: null,
      });
    }
    const truncated = files.length > CHANGES_FILE_LIMIT;
    const kept = files.slice(0, CHANGES_FILE_LIMIT);
    const budget = { left: CHANGES_TOTAL_BYTES };
    const shown = new Set(kept);
    await attachPatches(
      git,
      against,
      diffed.filter((file) => shown.has(file) && file.summarised === null),
      budget,
    );
    await attachUntracked(git, root, kept, budget);
    kept.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return {
      repo: {
        kind: "repository",
        branch: status.branch,
        head: status.head,
        base,
        operation: operationIn(where.gitDir),
        prefix: where.prefix.replace(/\/$/, ""),
      },
      files: kept,
      truncated,
    };
  } catch (error) {
    if (error instanceof GitFailed) throw gitFailedError(error);
    throw error;
  }
}

async function filterOverrides(git: Git): Promise<[string, string][]> {
  const names = await git(["config", "-z", "--name-only", "--get-regexp", "^filter\\."], {
    maxBytes: 1024 * 1024,
    okCodes: [0, 1],
  });
  const drivers = new Set(
    names.text
      .split("\0")
      .map((name) => /^filter\.(.*)\.[^.]+$/s.exec(name)?.[1])
      .filter((name) => name !== undefined),
  );
  return [...drivers].flatMap((driver) =>
    ["clean", "smudge", "process"]
      .map((key): [string, string] => [`filter.${driver}.${key}`, ""])
      .concat([[`filter.${driver}.required`, "false"]]),
  );
}

/** The repository's git dir and the folder's prefix in it; null when the folder is in none. */
async function locate(git: Git): Promise<{ gitDir: string; prefix: string } | null> {
  try {
    const [inside, gitDir = "", prefix = ""] = (
      await git(["rev-parse", "--is-inside-work-tree", "--absolute-git-dir", "--show-prefix"], {
        maxBytes: 64 * 1024,
      })
    ).text.split("\n");
    return inside === "true" ? { gitDir, prefix } : null;
  } catch (error) {
    if (error instanceof GitFailed && /not a git repository/i.test(error.stderr)) return null;
    throw error;
  }
}

async function verifyCommit(git: Git, base: string): Promise<string> {
  const found = await git(
    ["rev-parse", "--verify", "--quiet", "--end-of-options", `${base}^{commit}`],
    {
      maxBytes: 1024,
      okCodes: [0, 1, 128],
    },
  );
  if (found.exitCode !== 0)
    throw badRequest("base_invalid", `${base} is not a commit of this repository`);
  return found.text.trim();
}

/** The empty tree's id (SHA-1 or SHA-256, as the repository uses): the base with no commits. */
async function emptyTree(git: Git): Promise<string> {
  return (await git(["hash-object", "-t", "tree", "/dev/null"], { maxBytes: 1024 })).text.trim();
}

function operationIn(gitDir: string): RepoOperation | null {
  const has = (name: string) => existsSync(join(gitDir, name));
  if (has("rebase-merge") || has("rebase-apply")) return "rebase";
  if (has("MERGE_HEAD")) return "merge";
  if (has("CHERRY_PICK_HEAD")) return "cherry_pick";
  if (has("REVERT_HEAD")) return "revert";
  if (has("BISECT_LOG")) return "bisect";
  return null;
}

function fileOf(
  entry: DiffEntry,
  status: ReturnType<typeof parseStatus>["entries"][number] | undefined,
): ChangedFile {
  const binary = entry.additions === null;
  const lines = (entry.additions ?? 0) + (entry.deletions ?? 0);
  return {
    path: entry.path,
    oldPath: entry.oldPath,
    kind: status?.kind === "conflicted" ? "conflicted" : entry.kind,
    staged: status ? status.index !== "." : false,
    unstaged: status ? status.worktree !== "." : false,
    additions: entry.additions,
    deletions: entry.deletions,
    binary,
    summarised: binary ? "binary" : lines > CHANGES_FILE_LINES ? "too_large" : null,
    diff: null,
  };
}

/** Gives each of `files` (tracked, text, not too large) its diff text, within the budget. */
async function attachPatches(
  git: Git,
  against: string,
  files: ChangedFile[],
  budget: { left: number },
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

function give(file: ChangedFile, diff: string, budget: { left: number }) {
  const bytes = Buffer.byteLength(diff);
  if (bytes > CHANGES_FILE_BYTES) file.summarised = "too_large";
  else if (bytes > budget.left) file.summarised = "budget";
  else {
    file.diff = diff;
    budget.left -= bytes;
  }
}

/** Diffs each untracked file against /dev/null (git diff --no-index), within the budget. */
async function attachUntracked(
  git: Git,
  root: string,
  files: ChangedFile[],
  budget: { left: number },
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
