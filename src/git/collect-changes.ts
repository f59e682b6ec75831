// What changed in a session's folder, by git itself: the repository's state (branch, detached
// HEAD, no commits yet, an unfinished merge or rebase), then every changed file under the folder
// (the working tree against HEAD, or against a given base commit), with its unified diff unless
// it is binary or too large. Untracked files come as added (diffed against /dev/null).

import { realRoot } from "../fs/confined-path.ts";
import {
  CHANGES_FILE_LIMIT,
  CHANGES_FILE_LINES,
  CHANGES_TOTAL_BYTES,
  type ChangedFile,
  type Changes,
} from "../protocol/changes.ts";
import { attachPatches, attachUntracked, DIFF_OPTIONS } from "./file-diffs.ts";
import { type DiffEntry, parseRawNumstat, parseStatus, type StatusEntry } from "./parse.ts";
import { emptyTree, filterOverrides, locate, operationIn, verifyCommit } from "./repository.ts";
import { createGit, GIT_TIMEOUT_MS, type Git, GitFailed, gitFailedError } from "./run-git.ts";

/** Most bytes a listing (status, raw and numstat) may take. */
const LISTING_BYTES = 32 * 1024 * 1024;

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

/** A file of git's diff listing, with its staged and unstaged sides from `git status`. */
function fileOf(entry: DiffEntry, status: StatusEntry | undefined): ChangedFile {
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
